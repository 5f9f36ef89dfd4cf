//! TEMPORARY STUB
#![allow(dead_code, unused_variables)]
use crate::source::MappedText;
#[derive(Debug, Clone)]
pub struct SimpleCommand {
    pub assignments: Vec<(MappedText, MappedText)>,
    pub words: Vec<MappedText>,
}
pub fn split_commands(line: &MappedText) -> Vec<SimpleCommand> {
    vec![]
}
pub fn exec_command(words: &[MappedText]) -> SimpleCommand {
    SimpleCommand {
        assignments: vec![],
        words: words.to_vec(),
    }
}
