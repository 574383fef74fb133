//! Counting calls in flight per connection, for the idle timeout: a tower
//! layer for tonic servers, and the response body that holds the count
//! until a streamed response ends.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http_body::{Body, Frame, SizeHint};
use tower_layer::Layer;
use tower_service::Service;

use crate::conn::{ActiveCall, EdgeInfo};

/// Counts each request as a call in flight on its connection (found by the
/// [`EdgeInfo`] in its extensions) until its response body ends.
#[derive(Debug, Clone, Copy, Default)]
pub struct InFlightLayer;

impl<S> Layer<S> for InFlightLayer {
    type Service = InFlight<S>;

    fn layer(&self, inner: S) -> InFlight<S> {
        InFlight { inner }
    }
}

/// The service of [`InFlightLayer`].
#[derive(Debug, Clone)]
pub struct InFlight<S> {
    inner: S,
}

impl<S, B, R> Service<http::Request<B>> for InFlight<S>
where
    S: Service<http::Request<B>, Response = http::Response<R>>,
{
    type Response = http::Response<Guarded<R>>;
    type Error = S::Error;
    type Future = InFlightFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let call = req.extensions().get::<EdgeInfo>().map(|i| i.conn.begin());
        InFlightFuture {
            inner: self.inner.call(req),
            call,
        }
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`InFlight`].
    pub struct InFlightFuture<F> {
        #[pin]
        inner: F,
        call: Option<ActiveCall>,
    }
}

impl<F, R, E> Future for InFlightFuture<F>
where
    F: Future<Output = Result<http::Response<R>, E>>,
{
    type Output = Result<http::Response<Guarded<R>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = std::task::ready!(this.inner.poll(cx))?;
        let call = this.call.take();
        Poll::Ready(Ok(response.map(|body| Guarded::new(body, call))))
    }
}

pin_project_lite::pin_project! {
    /// A response body that keeps its call counted as in flight until the
    /// body ends (or is dropped).
    pub struct Guarded<B> {
        #[pin]
        inner: B,
        call: Option<ActiveCall>,
    }
}

impl<B> Guarded<B> {
    /// `inner`, counted by `call` until it ends.
    pub fn new(inner: B, call: Option<ActiveCall>) -> Guarded<B> {
        Guarded { inner, call }
    }
}

impl<B: Body> Body for Guarded<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        let frame = std::task::ready!(this.inner.poll_frame(cx));
        if frame.is_none() {
            this.call.take();
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
