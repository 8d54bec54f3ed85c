//! One request at a time for a local model. A CPU that serves two prompts at once serves each at
//! half speed, so both wait as long as the second would have waited in line, and the first is
//! no faster; in line, the first answer comes as soon as it can. A request that waits is queued,
//! not failed, and the wait is counted in the answer's `usage.queued_ms`, which the web UI and
//! the API show.

use std::time::Duration;

use async_trait::async_trait;
use homelab_schemas::{LlmRequest, LlmResponse, Usage};
use tokio::{
    sync::{Semaphore, SemaphorePermit},
    time::Instant,
};

use super::{Provider, ProviderError, Tokens};

/// A provider that serves one request at a time, the others waiting their turn.
pub struct OneAtATime<P> {
    inner: P,
    /// One permit: the model's attention.
    turn: Semaphore,
    /// How long a request may wait for its turn ([`homelab_common::timeouts::ChatTimeouts::queue_wait`]).
    max_wait: Duration,
}

impl<P: Provider> OneAtATime<P> {
    pub fn new(inner: P, max_wait: Duration) -> Self {
        Self { inner, turn: Semaphore::new(1), max_wait }
    }

    /// Waits for the model; the permit is its turn, and how long it waited.
    async fn wait_turn(&self) -> Result<(SemaphorePermit<'_>, Duration), ProviderError> {
        let asked = Instant::now();
        match tokio::time::timeout(self.max_wait, self.turn.acquire()).await {
            Ok(Ok(permit)) => {
                let waited = asked.elapsed();
                if waited >= Duration::from_millis(100) {
                    tracing::info!(queued_ms = waited.as_millis() as u64, "waited for the local model");
                }
                Ok((permit, waited))
            }
            Ok(Err(_closed)) => unreachable!("the semaphore is never closed"),
            Err(_) => Err(ProviderError::Busy(self.max_wait)),
        }
    }
}

/// The answer with the wait in its usage (a usage with no tokens when the server counted none).
fn with_wait(mut answer: LlmResponse, waited: Duration) -> LlmResponse {
    let queued_ms = waited.as_millis() as u64;
    if queued_ms > 0 {
        let usage = answer.usage.get_or_insert(Usage { llm_calls: 1, ..Usage::default() });
        usage.queued_ms += queued_ms;
    }
    answer
}

#[async_trait]
impl<P: Provider> Provider for OneAtATime<P> {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn model(&self) -> &str {
        self.inner.model()
    }

    fn is_local(&self) -> bool {
        self.inner.is_local()
    }

    async fn chat(&self, request: LlmRequest) -> Result<LlmResponse, ProviderError> {
        let (_turn, waited) = self.wait_turn().await?;
        Ok(with_wait(self.inner.chat(request).await?, waited))
    }

    async fn chat_stream(&self, request: LlmRequest, tokens: Tokens) -> Result<LlmResponse, ProviderError> {
        let (_turn, waited) = self.wait_turn().await?;
        Ok(with_wait(self.inner.chat_stream(request, tokens).await?, waited))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    };

    use super::*;

    /// Takes `took` to answer and counts how many answer at once.
    struct Slow {
        took: Duration,
        now: Arc<AtomicUsize>,
        most: Arc<AtomicUsize>,
    }

    #[async_trait]
    impl Provider for Slow {
        fn name(&self) -> &'static str {
            "slow"
        }
        async fn chat(&self, _: LlmRequest) -> Result<LlmResponse, ProviderError> {
            let at_once = self.now.fetch_add(1, Ordering::SeqCst) + 1;
            self.most.fetch_max(at_once, Ordering::SeqCst);
            tokio::time::sleep(self.took).await;
            self.now.fetch_sub(1, Ordering::SeqCst);
            Ok(LlmResponse {
                content: Some("ok".into()),
                tool_calls: vec![],
                finish_reason: "stop".into(),
                usage: None,
            })
        }
    }

    fn request() -> LlmRequest {
        serde_json::from_value(serde_json::json!({"messages": [{"role": "user", "content": "hi"}]})).unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn requests_take_turns_and_the_second_says_how_long_it_waited() {
        let most = Arc::new(AtomicUsize::new(0));
        let slow = Slow { took: Duration::from_secs(30), now: Arc::default(), most: most.clone() };
        let queue = Arc::new(OneAtATime::new(slow, Duration::from_secs(600)));
        let (a, b) = tokio::join!(queue.chat(request()), queue.chat(request()));
        let mut waits: Vec<u64> = [a.unwrap(), b.unwrap()].iter().map(|r| r.usage.map_or(0, |u| u.queued_ms)).collect();
        waits.sort();
        assert_eq!(waits, [0, 30_000], "one waited the other's 30 s");
        assert_eq!(most.load(Ordering::SeqCst), 1, "never two at once");
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_that_cannot_get_a_turn_in_time_is_told_the_model_is_busy() {
        let slow = Slow { took: Duration::from_secs(60), now: Arc::default(), most: Arc::default() };
        let queue = Arc::new(OneAtATime::new(slow, Duration::from_secs(10)));
        let (a, b) = tokio::join!(queue.chat(request()), queue.chat(request()));
        assert!(a.is_ok());
        let e = b.unwrap_err();
        assert!(matches!(e, ProviderError::Busy(_)));
        assert_eq!(e.to_string(), "LLM provider busy: the local model answered other requests for 10 s");
    }
}
