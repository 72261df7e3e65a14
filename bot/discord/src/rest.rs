//! The REST calls that carry replies (send, thread, edit, delete, follow-up), with a 429's wait
//! read. Through Discord itself serenity sends them and its rate limiter waits out 429s. Through
//! `discord.api_url` that limiter is off (it would call discord.com whatever the proxy) and
//! serenity's errors drop a 429's `retry_after`: there the request serenity builds is sent from
//! here, and a 429 waits what Discord asked — `retry_after` in the body, else the `Retry-After`
//! or `X-RateLimit-Reset-After` header.

use crate::send::failure;
use backup_bot_runtime::{Failure, Wait};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serenity::all::{ErrorResponse, Http, HttpError, LightMethod, Request};
use std::time::Duration;

/// Sends through `discord.api_url` without serenity's client in between.
pub struct Direct {
    client: reqwest::Client,
    origin: String,
    /// `Bot …`, as serenity sends it.
    authorization: SecretString,
}

impl Direct {
    pub fn new(origin: &str, token: &SecretString) -> Direct {
        let t = token.expose_secret().trim();
        let authorization = if t.starts_with("Bot ") {
            t.to_string()
        } else {
            format!("Bot {t}")
        };
        Direct {
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()
                .unwrap_or_default(),
            origin: origin.to_string(),
            authorization: authorization.into(),
        }
    }

    /// Sends `req`; a status other than 2xx is a [`Failure`], a 429 one that waits what it asks.
    async fn send(&self, req: Request<'_>) -> Result<reqwest::Response, Failure> {
        let method = match req.method_ref() {
            LightMethod::Delete => reqwest::Method::DELETE,
            LightMethod::Get => reqwest::Method::GET,
            LightMethod::Patch => reqwest::Method::PATCH,
            LightMethod::Post => reqwest::Method::POST,
            LightMethod::Put => reqwest::Method::PUT,
        };
        let built = req
            .build(
                &self.client,
                self.authorization.expose_secret(),
                Some(&self.origin),
            )
            .map_err(failure)?
            .build()
            .map_err(|e| failure(e.into()))?;
        let resp = self
            .client
            .execute(built)
            .await
            .map_err(|e| failure(e.into()))?;
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        if status.as_u16() == 429 {
            let header = header_wait(resp.headers());
            let body = resp.bytes().await.unwrap_or_default();
            let wait = body_wait(&body)
                .or(header)
                .unwrap_or(Duration::from_secs(1));
            return Err(Failure {
                wait: Wait::After(wait),
                error: anyhow::anyhow!(
                    "Discord: 429 Too Many Requests (retry after {} ms)",
                    wait.as_millis()
                ),
            });
        }
        Err(failure(serenity::Error::Http(
            HttpError::UnsuccessfulRequest(ErrorResponse::from_response(resp, method).await),
        )))
    }
}

/// A 429 body's `retry_after` (seconds, fractional).
fn body_wait(body: &[u8]) -> Option<Duration> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    seconds(v.get("retry_after")?.as_f64()?)
}

/// `Retry-After`, else `X-RateLimit-Reset-After` (seconds, maybe fractional).
fn header_wait(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    ["retry-after", "x-ratelimit-reset-after"]
        .iter()
        .find_map(|h| headers.get(*h)?.to_str().ok()?.trim().parse::<f64>().ok())
        .and_then(seconds)
}

fn seconds(s: f64) -> Option<Duration> {
    (s.is_finite() && s >= 0.0).then(|| Duration::from_secs_f64(s.min(3600.0)))
}

/// Sends `req` and reads the answer as `T`.
pub async fn json<T: DeserializeOwned>(
    http: &Http,
    direct: Option<&Direct>,
    req: Request<'_>,
) -> Result<T, Failure> {
    match direct {
        None => http.fire(req).await.map_err(failure),
        Some(d) => {
            let bytes = d
                .send(req)
                .await?
                .bytes()
                .await
                .map_err(|e| failure(e.into()))?;
            serde_json::from_slice(&bytes).map_err(|e| failure(e.into()))
        }
    }
}

/// Sends `req`, whose answer has no body (a deletion).
pub async fn empty(http: &Http, direct: Option<&Direct>, req: Request<'_>) -> Result<(), Failure> {
    match direct {
        None => http.request(req).await.map(drop).map_err(failure),
        Some(d) => d.send(req).await.map(drop),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_429_waits_what_discord_asks() {
        let body =
            br#"{"message": "You are being rate limited.", "retry_after": 5.0, "global": false}"#;
        assert_eq!(body_wait(body), Some(Duration::from_secs(5)));
        assert_eq!(
            body_wait(br#"{"retry_after": 0.25}"#),
            Some(Duration::from_millis(250))
        );
        assert_eq!(body_wait(b"not json"), None);
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("x-ratelimit-reset-after", "1.5".parse().unwrap());
        assert_eq!(header_wait(&h), Some(Duration::from_millis(1500)));
        h.insert("retry-after", "3".parse().unwrap());
        assert_eq!(header_wait(&h), Some(Duration::from_secs(3)));
    }
}
