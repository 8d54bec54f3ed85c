//! `ApiJson<T>`: axum's JSON extractor with rejections in our `{"detail": …}` shape, so no
//! service ever answers bad input with plain text: 415 without a JSON content type, 413 over the
//! body limit, 422 for malformed JSON or the wrong shape.

use axum::{
    extract::{rejection::JsonRejection, FromRequest, Request},
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use serde::{de::DeserializeOwned, Serialize};

use crate::error::ApiError;

#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(rejection.into()),
        }
    }
}

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => {
                ApiError::UnsupportedMediaType("Content-Type must be application/json".into())
            }
            JsonRejection::JsonSyntaxError(e) => {
                ApiError::Unprocessable(format!("Malformed JSON body: {}", e.body_text()))
            }
            JsonRejection::JsonDataError(e) => {
                ApiError::Unprocessable(format!("Invalid request body: {}", e.body_text()))
            }
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::PayloadTooLarge("Request body too large".into())
            }
            other => ApiError::Unprocessable(format!("Could not read request body: {}", other.body_text())),
        }
    }
}
