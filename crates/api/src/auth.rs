//! Authentication: argon2id password hashes, short-lived JWT access tokens, rotating refresh
//! tokens, and the extractor that turns a bearer token into a checked [`Principal`].

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};
use lentera_accounts::{Principal, Role, UserId};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{ApiError, AppState};

/// argon2id cost. The defaults are OWASP's first recommendation (19 MiB, 2 passes, 1 lane).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Argon2Config {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for Argon2Config {
    fn default() -> Self {
        Self { memory_kib: 19 * 1024, iterations: 2, parallelism: 1 }
    }
}

#[derive(Clone)]
pub struct PasswordHasherConfig {
    params: Params,
    /// A hash of a random password, verified against when the login names nobody, so that a
    /// wrong login name costs as much time as a wrong password.
    dummy_hash: String,
}

impl PasswordHasherConfig {
    pub fn new(cfg: Argon2Config) -> Result<Self, ApiError> {
        let params = Params::new(cfg.memory_kib, cfg.iterations, cfg.parallelism, None)
            .map_err(|e| ApiError::Internal(format!("argon2 parameters: {e}")))?;
        let mut me = Self { params, dummy_hash: String::new() };
        me.dummy_hash = me.hash(&random_token())?;
        Ok(me)
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    pub fn hash(&self, password: &str) -> Result<String, ApiError> {
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let salt = SaltString::encode_b64(&salt).map_err(|e| ApiError::Internal(e.to_string()))?;
        self.argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ApiError::Internal(format!("hashing: {e}")))
    }

    /// Verifies `password` against `hash`, or against the dummy hash when there is none.
    pub fn verify(&self, password: &str, hash: Option<&str>) -> bool {
        let stored = hash.unwrap_or(&self.dummy_hash);
        let Ok(parsed) = PasswordHash::new(stored) else { return false };
        // The parameters stored in the hash apply, so hashes made under older settings still verify.
        let ok = Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok();
        ok && hash.is_some()
    }
}

/// A random secret: 32 bytes, URL-safe base64.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Refresh tokens are stored only as this hash.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    /// The login session (refresh-token family) this access token belongs to.
    pub fam: String,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
}

#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl JwtKeys {
    pub fn from_secret(secret: &[u8]) -> Self {
        let mut validation = Validation::new(jsonwebtoken::Algorithm::HS256);
        validation.set_issuer(&["lentera"]);
        validation.leeway = 5;
        Self { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret), validation }
    }

    pub fn issue(&self, user: UserId, family: &str, ttl_secs: i64) -> Result<String, ApiError> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims { sub: user.to_string(), fam: family.to_string(), iat: now, exp: now + ttl_secs, iss: "lentera".into() };
        jsonwebtoken::encode(&Header::new(jsonwebtoken::Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| ApiError::Internal(format!("jwt: {e}")))
    }

    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).map(|d| d.claims).map_err(|e| {
            match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => ApiError::Unauthenticated {
                    code: "token_expired",
                    detail: "the access token has expired; refresh it",
                },
                _ => ApiError::Unauthenticated { code: "invalid_token", detail: "the access token is not valid" },
            }
        })
    }
}

/// The caller, authenticated and checked against the database: the account is active, the login
/// session has not been revoked, and the roles are the current ones (as read on this request, or
/// within `api.session_cache_ms` and after this server's last change to accounts or sessions).
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub principal: Principal,
    pub family_id: String,
}

impl AuthUser {
    pub fn id(&self) -> UserId {
        self.principal.user_id
    }

    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.principal.has(role) || self.principal.is_admin() { Ok(()) } else { Err(ApiError::forbidden()) }
    }

    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.principal.is_admin() { Ok(()) } else { Err(ApiError::forbidden()) }
    }
}

fn bearer(req: &HttpRequest) -> Result<String, ApiError> {
    let missing = ApiError::Unauthenticated { code: "missing_token", detail: "send Authorization: Bearer <access token>" };
    let value = req.headers().get(actix_web::http::header::AUTHORIZATION).ok_or(missing)?;
    let value = value.to_str().map_err(|_| ApiError::Unauthenticated { code: "invalid_token", detail: "the access token is not valid" })?;
    value
        .strip_prefix("Bearer ")
        .map(|t| t.trim().to_string())
        .ok_or(ApiError::Unauthenticated { code: "invalid_token", detail: "the Authorization header must use the Bearer scheme" })
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal("app state missing".into()))?;
            let claims = state.jwt.verify(&token?)?;
            let user_id: UserId = claims.sub.parse().map_err(|_| ApiError::Unauthenticated {
                code: "invalid_token",
                detail: "the access token is not valid",
            })?;
            let key = (user_id, claims.fam.clone());
            if let Some(principal) = state.sessions.get(&key) {
                return Ok(AuthUser { principal, family_id: claims.fam });
            }
            let epoch = state.sessions.epoch();
            let db = state.db.clone();
            let family = claims.fam.clone();
            let facts = web::block(move || {
                db.read(|c| {
                    let facts = lentera_storage::accounts::auth_facts(c, user_id)?;
                    let alive = lentera_storage::tokens::family_alive(c, &family)?;
                    Ok((facts, alive))
                })
            })
            .await??;
            match facts {
                (Some(f), true) if f.active => {
                    let principal = Principal { user_id, opd: f.opd, roles: f.roles };
                    state.sessions.insert(key, principal.clone(), epoch);
                    Ok(AuthUser { principal, family_id: claims.fam })
                }
                (Some(f), _) if !f.active => Err(ApiError::Unauthenticated {
                    code: "account_inactive",
                    detail: "this account has been deactivated",
                }),
                _ => Err(ApiError::Unauthenticated { code: "session_revoked", detail: "this session has ended; log in again" }),
            }
        })
    }
}
