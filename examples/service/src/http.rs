//! Just enough HTTP/1.1 for the example: read the request head, answer from the request line,
//! close the connection. `GET /posts` lists the posts as JSON.

use std::future::Future;
use std::time::Duration;

use ormed_migrate::Driver;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::posts;

/// A request head larger than this is refused: nothing here needs more.
const MAX_HEAD: usize = 8 * 1024;
/// A client that sends no complete head in this time is dropped.
const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// Accepts connections until `shutdown` resolves, each answered on its own task.
pub async fn serve(listener: TcpListener, driver: Driver, shutdown: impl Future) {
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    tokio::spawn(answer(stream, driver.clone()));
                }
                Err(error) => {
                    // Out of file descriptors, say: wait a little instead of spinning.
                    tracing::warn!("could not accept a connection: {error}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            _ = &mut shutdown => {
                tracing::info!("shutting down");
                return;
            }
        }
    }
}

async fn answer(mut stream: TcpStream, driver: Driver) {
    let response = match read_head(&mut stream).await {
        Ok(head) => respond(&head, &driver).await,
        Err(problem) => Response::text(400, "Bad Request", problem),
    };
    if let Err(error) = stream.write_all(response.to_bytes().as_slice()).await {
        tracing::debug!("could not answer a request: {error}");
    }
    // The client sees the end of the body as the connection closes.
    let _ = stream.shutdown().await;
}

/// The request line and headers, up to the blank line that ends them.
async fn read_head(stream: &mut TcpStream) -> Result<String, String> {
    let mut head = Vec::new();
    let mut buffer = [0; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        if head.len() > MAX_HEAD {
            return Err(format!("the request head is longer than {MAX_HEAD} bytes"));
        }
        let read = tokio::time::timeout(READ_TIMEOUT, stream.read(&mut buffer))
            .await
            .map_err(|_| "the request head did not arrive in time".to_owned())?
            .map_err(|e| format!("could not read the request: {e}"))?;
        if read == 0 {
            break;
        }
        head.extend_from_slice(&buffer[..read]);
    }
    String::from_utf8(head).map_err(|_| "the request head is not UTF-8".to_owned())
}

/// Routes on the request line: `METHOD TARGET HTTP/x.y`.
async fn respond(head: &str, driver: &Driver) -> Response {
    let line = head.lines().next().unwrap_or_default();
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Response::text(400, "Bad Request", "expected `GET /posts HTTP/1.1`".into());
    };
    if !version.starts_with("HTTP/1.") {
        return Response::text(505, "HTTP Version Not Supported", "HTTP/1.x only".into());
    }
    let path = target.split('?').next().unwrap_or(target);
    match (method, path) {
        ("GET", "/posts") => list_posts(driver).await,
        (_, "/posts") => Response::text(405, "Method Not Allowed", "only GET /posts".into()),
        _ => Response::text(404, "Not Found", format!("no {path} here; try GET /posts")),
    }
}

async fn list_posts(driver: &Driver) -> Response {
    match posts::all(driver).await {
        Ok(posts) => Response {
            status: 200,
            reason: "OK",
            content_type: "application/json",
            body: serde_json::Value::from(posts).to_string(),
        },
        Err(error) => {
            tracing::error!("could not read the posts: {error}");
            Response::text(
                500,
                "Internal Server Error",
                "could not read the posts".into(),
            )
        }
    }
}

/// A whole response, written at once.
struct Response {
    status: u16,
    reason: &'static str,
    content_type: &'static str,
    body: String,
}

impl Response {
    fn text(status: u16, reason: &'static str, message: String) -> Response {
        Response {
            status,
            reason,
            content_type: "text/plain; charset=utf-8",
            body: message + "\n",
        }
    }

    fn to_bytes(&self) -> Vec<u8> {
        format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
            self.status,
            self.reason,
            self.content_type,
            self.body.len(),
            self.body
        )
        .into_bytes()
    }
}
