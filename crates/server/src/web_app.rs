//! The single-page web app, embedded from `web/dist` at build time (read from disk in debug
//! builds). Hashed assets are immutable; `index.html` and the service worker are revalidated on
//! every load; any other path that is not an API path gets `index.html` (client-side routing).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../../web/dist"]
#[allow_missing = true]
struct Dist;

pub fn serve(req: &HttpRequest) -> HttpResponse {
    let path = req.path().trim_start_matches('/');
    if let Some(res) = file(req, path) {
        return res;
    }
    // Unknown files with an extension are real 404s, not the app.
    let last = path.rsplit('/').next().unwrap_or("");
    if last.contains('.') && !last.ends_with(".html") {
        return HttpResponse::NotFound().content_type("text/plain").body("not found");
    }
    file(req, "index.html").unwrap_or_else(|| {
        HttpResponse::ServiceUnavailable()
            .content_type("text/plain; charset=utf-8")
            .body("The web app has not been built: run `make web` (npm ci && npm run build in web/).")
    })
}

fn file(req: &HttpRequest, path: &str) -> Option<HttpResponse> {
    let path = if path.is_empty() { "index.html" } else { path };
    let f = Dist::get(path)?;
    let etag = format!("\"{}\"", hex::encode(&f.metadata.sha256_hash()[..16]));
    let cache = if path.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    if req.headers().get(header::IF_NONE_MATCH).is_some_and(|v| v.as_bytes() == etag.as_bytes()) {
        return Some(HttpResponse::NotModified().insert_header((header::ETAG, etag)).insert_header((header::CACHE_CONTROL, cache)).finish());
    }
    let mut res = HttpResponse::Ok();
    res.content_type(f.metadata.mimetype())
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    if path.ends_with(".html") {
        res.insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; \
             frame-src https://www.youtube.com https://www.youtube-nocookie.com https://player.vimeo.com; \
             object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
        ))
        .insert_header((header::REFERRER_POLICY, "same-origin"));
    }
    Some(res.body(f.data.into_owned()))
}
