//! JSON-RPC framing over stdio. `lsp-server` has the message types but its stdio reader stops
//! at the first malformed message; an editor's server must not die of one, so this reader
//! answers a payload that is not JSON with a parse error, a JSON value that is not a message
//! with an invalid-request error, skips a header it cannot read, and carries on.

use lsp_server::{ErrorCode, Message};
use serde_json::{Value, json};
use std::io::{self, BufRead, Read, Write};
use std::sync::mpsc::{Receiver, Sender};

/// The largest message read: a buffer at the size limit for one file, with room for JSON's
/// escapes. A longer one is skipped unread.
pub const MAX_MESSAGE_BYTES: usize = 8 * crate::discover::MAX_FILE_BYTES as usize;

/// What the reader hands on.
pub enum Incoming {
    Message(Message),
    /// A payload that could not be read as a message; the reply, if one is due, is in `reply`.
    Malformed {
        reply: Option<String>,
        why: String,
    },
    /// The input ended or failed.
    Closed,
}

/// Reads framed messages from `input` until it ends, sending each to `events`.
pub fn read_messages<T: From<Incoming>>(
    input: &mut impl BufRead,
    events: &Sender<T>,
    limit: usize,
) {
    loop {
        let incoming = match read_frame(input, limit) {
            Ok(Some(Frame::Body(body))) => parse(&body),
            Ok(Some(Frame::Skipped(why))) => Incoming::Malformed { reply: None, why },
            Ok(None) | Err(_) => {
                let _ = events.send(Incoming::Closed.into());
                return;
            }
        };
        let exit =
            matches!(&incoming, Incoming::Message(Message::Notification(n)) if n.method == "exit");
        if events.send(incoming.into()).is_err() || exit {
            return;
        }
    }
}

enum Frame {
    Body(Vec<u8>),
    /// A header that could not be read, or a body over the limit: skipped.
    Skipped(String),
}

/// One message's body; `None` at the end of the input.
fn read_frame(input: &mut impl BufRead, limit: usize) -> io::Result<Option<Frame>> {
    let mut length: Option<usize> = None;
    let mut bad_header = None;
    let mut line = String::new();
    loop {
        line.clear();
        // A header line is short; a runaway one is not a header.
        if input.by_ref().take(8192).read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let header = line.trim_end_matches(['\r', '\n']);
        if header.is_empty() {
            if length.is_some() || bad_header.is_some() {
                break;
            }
            // Stray blank lines between messages.
            continue;
        }
        match header.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                match value.trim().parse::<usize>() {
                    Ok(n) => length = Some(n),
                    Err(_) => bad_header = Some(format!("bad Content-Length: {header:?}")),
                }
            }
            Some(_) => {}
            None => bad_header = Some(format!("malformed header: {header:?}")),
        }
    }
    let Some(length) = length else {
        return Ok(Some(Frame::Skipped(
            bad_header.unwrap_or_else(|| "a message without Content-Length".into()),
        )));
    };
    if length > limit {
        io::copy(&mut input.by_ref().take(length as u64), &mut io::sink())?;
        return Ok(Some(Frame::Skipped(format!(
            "a message of {length} bytes, over the limit of {limit}"
        ))));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    Ok(Some(Frame::Body(body)))
}

/// A body as a message, or the error reply JSON-RPC asks for.
fn parse(body: &[u8]) -> Incoming {
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(e) => {
            return Incoming::Malformed {
                reply: Some(error_reply(
                    &Value::Null,
                    ErrorCode::ParseError,
                    &e.to_string(),
                )),
                why: format!("not JSON: {e}"),
            };
        }
    };
    match serde_json::from_value::<Message>(value.clone()) {
        Ok(message) => Incoming::Message(message),
        Err(e) => {
            let id = value.get("id").cloned();
            // A notification gets no reply, even a broken one.
            let reply = match (&id, value.get("method")) {
                (Some(id), _) => Some(error_reply(id, ErrorCode::InvalidRequest, &e.to_string())),
                (None, Some(_)) => None,
                (None, None) => Some(error_reply(
                    &Value::Null,
                    ErrorCode::InvalidRequest,
                    &e.to_string(),
                )),
            };
            Incoming::Malformed {
                reply,
                why: format!("not a JSON-RPC message: {e}"),
            }
        }
    }
}

fn error_reply(id: &Value, code: ErrorCode, message: &str) -> String {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code as i32, "message": message}})
        .to_string()
}

/// A message as the JSON text written to the client.
pub fn encode(message: &Message) -> String {
    let mut value = serde_json::to_value(message).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.insert("jsonrpc".into(), "2.0".into());
    }
    value.to_string()
}

/// Writes each JSON text from `bodies` to `output`, framed, until the channel closes.
pub fn write_messages(output: &mut impl Write, bodies: Receiver<String>) -> io::Result<()> {
    for body in bodies {
        write!(output, "Content-Length: {}\r\n\r\n", body.len())?;
        output.write_all(body.as_bytes())?;
        output.flush()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &str) -> Vec<Incoming> {
        let (tx, rx) = std::sync::mpsc::channel::<Incoming>();
        read_messages(&mut io::Cursor::new(input.as_bytes().to_vec()), &tx, 1000);
        drop(tx);
        rx.into_iter().collect()
    }

    fn framed(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn reads_on_past_malformed_messages() {
        let good = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let input = [
            framed("{not json"),
            "Garbage-Without-Colon\r\n\r\n".to_string(),
            framed(r#"{"jsonrpc":"2.0","id":7,"method":5}"#),
            framed(r#"{"jsonrpc":"2.0","method":5}"#),
            "Content-Length: 12\n\n[1, 2, 3,  ]".to_string(),
            framed(good),
        ]
        .concat();
        let got = frames(&input);
        let replies: Vec<Option<String>> = got
            .iter()
            .filter_map(|f| match f {
                Incoming::Malformed { reply, .. } => Some(reply.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(replies.len(), 5);
        assert!(replies[0].as_ref().unwrap().contains("-32700"));
        assert!(replies[0].as_ref().unwrap().contains(r#""id":null"#));
        assert_eq!(replies[1], None, "an unreadable header gets no reply");
        assert!(replies[2].as_ref().unwrap().contains(r#""id":7"#));
        assert!(replies[2].as_ref().unwrap().contains("-32600"));
        assert_eq!(replies[3], None, "a broken notification gets no reply");
        assert!(replies[4].as_ref().unwrap().contains("-32700"));
        assert!(matches!(
            &got[got.len() - 2],
            Incoming::Message(Message::Notification(n)) if n.method == "initialized"
        ));
        assert!(matches!(got.last(), Some(Incoming::Closed)));
    }

    #[test]
    fn skips_an_oversized_message_unparsed() {
        let input = "Content-Length: 1001\r\n\r\n".to_string()
            + &"x".repeat(1001)
            + &framed(r#"{"jsonrpc":"2.0","method":"exit"}"#);
        let got = frames(&input);
        assert!(
            matches!(&got[0], Incoming::Malformed { reply: None, why } if why.contains("over the limit"))
        );
        assert!(
            matches!(&got[1], Incoming::Message(Message::Notification(n)) if n.method == "exit")
        );
    }

    #[test]
    fn encodes_with_the_protocol_version() {
        let note = lsp_server::Notification::new("x".into(), json!({"a": 1}));
        let text = encode(&note.into());
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["jsonrpc"], "2.0");
        assert_eq!(value["method"], "x");
    }
}
