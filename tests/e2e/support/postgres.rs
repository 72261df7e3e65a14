//! PostgreSQL for the end-to-end tests: a scratch database per test (created here, dropped when
//! the guard goes), plain SQL through `psql`-free means (a tiny runtime with sqlx), and a TCP
//! proxy in front of the server that a test can cut and restore, so an outage never stops the
//! machine's shared server.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The server `TEST_POSTGRES_URL` names, or None (the caller prints why it skips).
pub fn admin_url(test: &str) -> Option<String> {
    match std::env::var("TEST_POSTGRES_URL") {
        Ok(u) => Some(u),
        Err(_) => {
            eprintln!("{test}: TEST_POSTGRES_URL is not set: skipped");
            None
        }
    }
}

/// Runs SQL statements on the database `url` names; returns the first column of the last
/// statement's rows, as text.
pub fn sql(url: &str, statements: &[&str]) -> Vec<String> {
    use sqlx::{Connection, Row};
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let mut c = sqlx::PgConnection::connect(url).await.unwrap();
            let mut out = Vec::new();
            for s in statements {
                out = sqlx::query(s)
                    .fetch_all(&mut c)
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.try_get::<String, _>(0).unwrap_or_default())
                    .collect();
            }
            out
        })
}

/// A database of one test: created now, dropped when this goes.
pub struct Scratch {
    admin: String,
    pub name: String,
    /// Its URL.
    pub url: String,
}

impl Scratch {
    pub fn new(admin: &str, test: &str) -> Scratch {
        let name = format!("bb_e2e_{test}_{}", std::process::id());
        sql(
            admin,
            &[
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                &format!("CREATE DATABASE {name}"),
            ],
        );
        let base = admin.rsplit_once('/').unwrap().0;
        Scratch {
            admin: admin.to_string(),
            url: format!("{base}/{name}"),
            name,
        }
    }

    /// The same database through `proxy`.
    pub fn through(&self, proxy: &Proxy) -> String {
        let after_scheme = self.url.split_once("://").unwrap().1;
        let (creds, rest) = match after_scheme.split_once('@') {
            Some((c, r)) => (format!("{c}@"), r),
            None => (String::new(), after_scheme),
        };
        let path = rest.split_once('/').unwrap().1;
        format!("postgres://{creds}{}/{path}", proxy.addr)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        sql(
            &self.admin,
            &[&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            )],
        );
    }
}

/// Where the server of `url` listens.
pub fn server_addr(url: &str) -> SocketAddr {
    let host = url.split_once("://").unwrap().1;
    let host = host.rsplit_once('@').map_or(host, |x| x.1);
    let host = host.split('/').next().unwrap();
    let host = if host.contains(':') {
        host.to_string()
    } else {
        format!("{host}:5432")
    };
    host.parse().unwrap()
}

/// A TCP proxy to `target` that can be cut (every connection closed, new ones refused) and
/// restored on the same port.
pub struct Proxy {
    pub addr: SocketAddr,
    open: Arc<AtomicBool>,
    live: Arc<Mutex<Vec<TcpStream>>>,
    stop: Arc<AtomicBool>,
}

impl Proxy {
    pub fn start(target: SocketAddr) -> Proxy {
        let first = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = first.local_addr().unwrap();
        let open = Arc::new(AtomicBool::new(true));
        let live: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (o, l, s) = (open.clone(), live.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut listener = Some(first);
            while !s.load(Ordering::Relaxed) {
                if !o.load(Ordering::Relaxed) {
                    listener = None;
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                }
                if listener.is_none() {
                    listener = TcpListener::bind(addr).ok();
                }
                let Some(lis) = &listener else {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                };
                lis.set_nonblocking(true).unwrap();
                match lis.accept() {
                    Ok((client, _)) => {
                        client.set_nonblocking(false).unwrap();
                        let Ok(server) = TcpStream::connect(target) else {
                            continue;
                        };
                        {
                            let mut g = l.lock().unwrap();
                            g.push(client.try_clone().unwrap());
                            g.push(server.try_clone().unwrap());
                        }
                        pipe(client.try_clone().unwrap(), server.try_clone().unwrap());
                        pipe(server, client);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Proxy {
            addr,
            open,
            live,
            stop,
        }
    }

    /// Closes every connection and refuses new ones.
    pub fn cut(&self) {
        self.open.store(false, Ordering::Relaxed);
        for s in self.live.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
        // Let the listener go before anyone tries again.
        std::thread::sleep(Duration::from_millis(100));
    }

    /// Accepts connections again, on the same port.
    pub fn restore(&self) {
        self.open.store(true, Ordering::Relaxed);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.cut();
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to.shutdown(Shutdown::Both);
    });
}
