//! Scratch databases for the store's tests: a SQLite file always, a PostgreSQL database of its
//! own (created and dropped here) when `TEST_POSTGRES_URL` is set.

#![allow(dead_code)]

use backup_bot_store::Store;
use sqlx::Connection;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A scratch database: a SQLite file, or a PostgreSQL database dropped afterwards.
pub struct Scratch {
    pub url: String,
    drop_pg: Option<(String, String)>,
}

impl Scratch {
    pub async fn done(self) {
        if let Some((admin, name)) = self.drop_pg {
            let mut c = sqlx::PgConnection::connect(&admin).await.unwrap();
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut c)
                .await
                .unwrap();
        }
    }
}

static N: AtomicUsize = AtomicUsize::new(0);

pub fn sqlite(test: &str) -> Scratch {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join(format!("store-{test}-{}.db", std::process::id()));
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
    }
    Scratch {
        url: format!("sqlite://{}", path.display()),
        drop_pg: None,
    }
}

pub async fn postgres(test: &str) -> Option<Scratch> {
    let Ok(admin) = std::env::var("TEST_POSTGRES_URL") else {
        eprintln!("{test}: TEST_POSTGRES_URL is not set: PostgreSQL skipped");
        return None;
    };
    let name = format!(
        "bb_store_{}_{}_{}",
        test,
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let mut c = sqlx::PgConnection::connect(&admin).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut c)
        .await
        .unwrap();
    let base = admin.rsplit_once('/').unwrap().0;
    Some(Scratch {
        url: format!("{base}/{name}"),
        drop_pg: Some((admin, name)),
    })
}

/// Runs `check` on SQLite, then on PostgreSQL when it is configured.
pub async fn on_each<F, Fut>(test: &str, check: F)
where
    F: Fn(Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut scratches = vec![sqlite(test)];
    scratches.extend(postgres(test).await);
    for s in scratches {
        let store = Store::open(&s.url).await.unwrap();
        check(store.clone()).await;
        store.close().await;
        s.done().await;
    }
}
