//! A walk's trail in one column: `step:user:at` items separated by `;` (ids only: Slack and
//! Discord ids, the console's name, never text). A user with `:` or `;` in it is kept out,
//! so a trail always reads back as it was written, or shorter.

use backup_bot_core::escalation::Walked;

pub fn write(trail: &[Walked]) -> String {
    trail
        .iter()
        .map(|w| {
            let user = w
                .user
                .as_deref()
                .filter(|u| !u.contains([':', ';']))
                .unwrap_or("");
            format!("{}:{user}:{}", w.step, w.at)
        })
        .collect::<Vec<_>>()
        .join(";")
}

pub fn read(text: &str) -> Vec<Walked> {
    text.split(';')
        .filter_map(|item| {
            let mut parts = item.split(':');
            let step = parts.next()?.parse().ok()?;
            let user = parts.next()?;
            let at = parts.next()?.parse().ok()?;
            Some(Walked {
                step,
                user: (!user.is_empty()).then(|| user.to_string()),
                at,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trail_reads_back_as_written() {
        let t = vec![
            Walked {
                step: 0,
                user: Some("U1".into()),
                at: 10,
            },
            Walked {
                step: 1,
                user: None,
                at: 20,
            },
        ];
        assert_eq!(read(&write(&t)), t);
        assert_eq!(read(""), vec![]);
        let odd = vec![Walked {
            step: 2,
            user: Some("a:b;c".into()),
            at: 5,
        }];
        assert_eq!(
            read(&write(&odd)),
            vec![Walked {
                step: 2,
                user: None,
                at: 5
            }]
        );
    }
}
