//! TEMPORARY STUB — replaced by the real parser.
#![allow(dead_code, unused_variables)]
use crate::source::{MappedText, Span};
#[derive(Debug, Clone)]
pub struct Dockerfile {
    pub directives: Vec<Directive>,
    pub escape: char,
    pub instructions: Vec<Instruction>,
    pub errors: Vec<SyntaxError>,
}
#[derive(Debug, Clone)]
pub struct Directive {
    pub name: String,
    pub value: String,
    pub span: Span,
}
#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub message: String,
    pub span: Span,
}
#[derive(Debug, Clone)]
pub struct Instruction {
    pub keyword: String,
    pub keyword_span: Span,
    pub span: Span,
    pub flags: Vec<Flag>,
    pub args: Args,
    pub heredocs: Vec<Heredoc>,
    pub onbuild: Option<Box<Instruction>>,
}
#[derive(Debug, Clone)]
pub struct Flag {
    pub name: String,
    pub value: Option<MappedText>,
    pub span: Span,
}
#[derive(Debug, Clone)]
pub enum Args {
    Exec(Vec<MappedText>),
    Shell(MappedText),
}
#[derive(Debug, Clone)]
pub struct Heredoc {
    pub name: String,
    pub body: MappedText,
    pub span: Span,
    pub chomp_tabs: bool,
    pub quoted: bool,
}
pub fn parse(text: &str) -> Dockerfile {
    Dockerfile {
        directives: vec![],
        escape: '\\',
        instructions: vec![],
        errors: vec![],
    }
}
impl Instruction {
    pub fn words(&self, escape: char) -> Vec<MappedText> {
        vec![]
    }
    pub fn key_values(&self, escape: char) -> Vec<KeyValue> {
        vec![]
    }
}
#[derive(Debug, Clone)]
pub struct KeyValue {
    pub key: MappedText,
    pub value: Option<MappedText>,
}
#[derive(Debug, Clone)]
pub struct Stage<'a> {
    pub index: usize,
    pub from: &'a Instruction,
    pub image: MappedText,
    pub name: Option<MappedText>,
    pub body: &'a [Instruction],
}
impl Dockerfile {
    pub fn stages(&self) -> Vec<Stage<'_>> {
        vec![]
    }
    pub fn dump(&self) -> String {
        String::new()
    }
}
#[derive(Debug, Clone)]
pub struct Scope {}
impl Scope {
    pub fn global(df: &Dockerfile) -> Scope {
        Scope {}
    }
    pub fn for_stage(df: &Dockerfile, global: &Scope) -> Scope {
        Scope {}
    }
    pub fn apply(&mut self, instr: &Instruction, escape: char) {}
    pub fn get(&self, name: &str) -> Option<&str> {
        None
    }
    pub fn expand(&self, text: &str, escape: char) -> Option<String> {
        Some(text.to_string())
    }
}
