//! The tantivy side: one schema module owns field names; the index is built in RAM at start-up,
//! one document per entry and language; queries are built as term queries from analysed text,
//! never parsed from raw input.

use crate::analysis::{self, BilingualTokenizer, TOKENIZER};
use crate::entry::{Entry, Lang};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::{doc, Index, IndexReader, ReloadPolicy, Searcher, TantivyDocument, Term};

/// Field handles.
#[derive(Clone, Copy)]
struct Fields {
    entry: Field,
    lang: Field,
    message: Field,
    title: Field,
    body: Field,
}

/// A hit: the entry's position in the entry list.
#[derive(Debug, Clone, Copy)]
pub struct Hit {
    pub entry: usize,
}

/// The in-RAM index and its one reader.
pub struct SearchIndex {
    fields: Fields,
    reader: IndexReader,
}

impl SearchIndex {
    /// Builds the index from the entries.
    pub fn build(entries: &[Entry]) -> tantivy::Result<SearchIndex> {
        let mut sb = Schema::builder();
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let fields = Fields {
            entry: sb.add_u64_field("entry", NumericOptions::default().set_stored()),
            lang: sb.add_u64_field("lang", NumericOptions::default().set_stored()),
            message: sb.add_text_field("message", text.clone()),
            title: sb.add_text_field("title", text.clone()),
            body: sb.add_text_field("body", text),
        };
        let index = Index::create_in_ram(sb.build());
        index
            .tokenizers()
            .register(TOKENIZER, BilingualTokenizer::default());
        let mut writer = index.writer_with_num_threads(1, 15_000_000)?;
        for (i, e) in entries.iter().enumerate() {
            for (lang, ed) in &e.editions {
                let mut d = doc!(
                    fields.entry => i as u64,
                    fields.lang => lang_id(*lang),
                    fields.title => ed.title.clone(),
                    fields.body => format!("{}\n{}", ed.cause, ed.steps.join("\n")),
                );
                for (_, text) in e.match_texts(*lang) {
                    d.add_text(fields.message, &text);
                }
                for text in &ed.symptoms {
                    d.add_text(fields.message, text);
                }
                for c in &e.codes {
                    d.add_text(fields.title, c);
                }
                writer.add_document(d)?;
            }
        }
        writer.commit()?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex { fields, reader })
    }

    /// The best documents for already-analysed tokens.
    /// (A paste does not come here: the gate already knows which texts it may name.)
    pub fn search(&self, tokens: &[&str], limit: usize) -> Vec<Hit> {
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        // A question may name anything: messages and symptoms first, then titles and codes,
        // then the cause and steps.
        let fields: &[(Field, f32)] = &[(f.message, 1.0), (f.title, 0.6), (f.body, 0.3)];
        for t in tokens {
            for &(field, boost) in fields {
                let q = TermQuery::new(
                    Term::from_field_text(field, t),
                    IndexRecordOption::WithFreqs,
                );
                clauses.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost))));
            }
        }
        if clauses.is_empty() {
            return vec![];
        }
        let query = BooleanQuery::new(clauses);
        let searcher: Searcher = self.reader.searcher();
        let Ok(top) = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score()) else {
            return vec![];
        };
        top.into_iter()
            .filter_map(|(_, addr)| {
                let d: TantivyDocument = searcher.doc(addr).ok()?;
                let entry = d.get_first(f.entry)?.as_u64()? as usize;
                Some(Hit { entry })
            })
            .collect()
    }
}

fn lang_id(l: Lang) -> u64 {
    match l {
        Lang::Ko => 0,
        Lang::En => 1,
    }
}

/// Analyses text for a query: distinct tokens, in first-seen order.
pub fn query_tokens(text: &str) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    analysis::tokens(text)
        .into_iter()
        .filter(|t| seen.insert(t.clone()))
        .collect()
}
