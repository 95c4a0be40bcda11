use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_lentera"))
}

/// Runs `lentera ARGS` in `dir` with the database there, feeding `stdin`.
pub fn lentera(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("LENTERA_DATABASE_URL", dir.join("lentera.db"))
        .env("LENTERA_DATA_DIR", dir.join("data"))
        .env("LENTERA_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

/// A running `lentera serve` on a free port; killed on drop.
pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Server {
    pub fn start(dir: &Path, extra_env: &[(&str, &str)]) -> Server {
        Self::start_with(dir, &[], extra_env)
    }

    pub fn start_with(dir: &Path, extra_args: &[&str], extra_env: &[(&str, &str)]) -> Server {
        let mut cmd = Command::new(bin());
        cmd.args(["serve", "--bind", "127.0.0.1:0"])
            .args(extra_args)
            .current_dir(dir)
            .env("LENTERA_DATABASE_URL", dir.join("lentera.db"))
            .env("LENTERA_DATA_DIR", dir.join("data"))
            .env("LENTERA_LOG", "info")
            .env("LENTERA_LOG_FORMAT", "json")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if !sent
                    && let Some(rest) = line.split("listening on http://").nth(1) {
                        let addr: String = rest.chars().take_while(|c| *c != '"' && !c.is_whitespace()).collect();
                        let _ = tx.send(addr);
                        sent = true;
                    }
            }
        });
        let addr = rx.recv_timeout(Duration::from_secs(30)).expect("server printed its address");
        let base = format!("http://{addr}");
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if ureq::get(&format!("{base}/readyz")).call().is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Server { child, base }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).build().into()
}
