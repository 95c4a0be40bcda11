//! `/api/openapi.json` and a small, self-contained page that lists the operations (no CDN).

use actix_web::{HttpResponse, web};

use crate::AppState;

pub async fn openapi_json(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").json(state.openapi.as_ref())
}

pub async fn docs_page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'"))
        .body(DOCS_HTML)
}

const DOCS_HTML: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Lentera API</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1c2430}
h1{margin-bottom:.2rem} .op{border:1px solid #d5dbe3;border-radius:6px;margin:.6rem 0}
summary{cursor:pointer;padding:.5rem .8rem;display:flex;gap:.8rem;align-items:center}
.m{font:600 12px monospace;padding:.15rem .45rem;border-radius:4px;color:#fff;min-width:3.5rem;text-align:center}
.get{background:#2b6cb0}.post{background:#2f855a}.put{background:#b7791f}.patch{background:#6b46c1}.delete{background:#c53030}
pre{background:#f4f6f9;padding:.6rem;overflow:auto;font-size:13px;margin:.4rem .8rem .8rem}
code{font-size:13px}
</style></head><body>
<h1>Lentera API</h1><p id="desc"></p>
<p>Machine-readable: <a href="/api/openapi.json"><code>/api/openapi.json</code></a> (OpenAPI 3).</p>
<div id="ops">Loading…</div>
<script>
fetch('/api/openapi.json').then(r=>r.json()).then(api=>{
  document.getElementById('desc').textContent=api.info.description||'';
  const ops=document.getElementById('ops'); ops.textContent='';
  for(const [path,item] of Object.entries(api.paths)){
    for(const [method,op] of Object.entries(item)){
      const d=document.createElement('details'); d.className='op';
      const s=document.createElement('summary');
      const m=document.createElement('span'); m.className='m '+method; m.textContent=method.toUpperCase();
      const p=document.createElement('code'); p.textContent=path;
      const t=document.createElement('span'); t.textContent=op.summary||op.description||'';
      s.append(m,p,t); d.append(s);
      const pre=document.createElement('pre'); pre.textContent=JSON.stringify(op,null,2); d.append(pre);
      ops.append(d);
    }
  }
  const h=document.createElement('h2'); h.textContent='Schemas'; ops.append(h);
  const pre=document.createElement('pre'); pre.textContent=JSON.stringify((api.components||{}).schemas,null,2); ops.append(pre);
});
</script></body></html>"#;
