//! TEMPORARY STUB
#![allow(dead_code, unused_variables)]
use crate::source::{MappedText, Span};
#[derive(Debug, Clone)]
pub enum Program {
    Gunicorn,
    Uvicorn,
    Hypercorn,
    Daphne,
    WaitressServe,
    FlaskRun,
    DjangoRunserver,
    HttpServer,
    ModWsgiExpress,
    PythonScript { script: MappedText },
    PythonModule { module: MappedText },
    Other { name: String },
}
#[derive(Debug, Clone)]
pub struct Launch {
    pub program: Program,
    pub program_span: Span,
    pub args: Vec<MappedText>,
    pub env: Vec<(MappedText, MappedText)>,
}
pub fn from_shell(line: &MappedText) -> Vec<Launch> {
    vec![]
}
pub fn from_exec(words: &[MappedText]) -> Vec<Launch> {
    vec![]
}
impl Launch {
    pub fn option(&self, names: &[&str]) -> Option<MappedText> {
        None
    }
    pub fn options(&self, names: &[&str]) -> Vec<MappedText> {
        vec![]
    }
    pub fn flag(&self, names: &[&str]) -> Option<Span> {
        None
    }
    pub fn positionals(&self) -> Vec<&MappedText> {
        vec![]
    }
}
