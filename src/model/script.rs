//! Entrypoint and start scripts read as the shell would run them: the command each way
//! through the script finally `exec`s (or runs last), through `if`/`case` branches,
//! functions, `set --`, `shift` and `"$@"`, and the account a wrapper on the way switches to
//! (`exec gosu app "$@"`). Nothing is executed: conditions deploylint can decide from the
//! positional parameters (`[ "$1" = gunicorn ]`, `case "$1" in`) pick their branch, and
//! the others are followed both ways.

use crate::model::launcher::{self, Launch, Program};
use crate::source::MappedText;
use crate::syntax::shell::{self, ScriptEvent, SimpleCommand};
use std::collections::HashMap;

/// Nesting of compound commands followed as structure; deeper ones are read flat.
const MAX_NESTING: usize = 64;
/// Ways through a script followed at once; past this the outcome is unknown.
const MAX_PATHS: usize = 64;
/// Nested function calls followed.
const MAX_CALL_DEPTH: usize = 8;
/// Simple commands evaluated in all, bounding work on hostile input.
const MAX_STEPS: usize = 20_000;

/// What running a script can start.
#[derive(Debug, Default)]
pub struct ScriptRun {
    /// Every distinct launch some way through the script makes, in order.
    pub launches: Vec<Launch>,
    /// For each way through the script: the launch it ends in (its `exec`, or else the last
    /// server or privilege-dropping command it runs), None when it ends in neither (`exit`).
    pub endings: Vec<Option<usize>>,
    /// Too many ways through it to follow: what it ends in is not known.
    pub truncated: bool,
}

impl ScriptRun {
    /// The launches the script ends in, each once.
    pub fn final_launches(&self) -> Vec<&Launch> {
        let mut seen: Vec<usize> = self.endings.iter().flatten().copied().collect();
        seen.sort_unstable();
        seen.dedup();
        seen.into_iter().map(|i| &self.launches[i]).collect()
    }

    /// Whether some way through the script ends without starting anything.
    pub fn may_end_without_launch(&self) -> bool {
        self.truncated || self.endings.iter().any(Option::is_none)
    }
}

/// Runs `script` (its text mapped into the span space where findings in it go) with
/// `params` as its positional parameters (`$1`…, `"$@"`); None when they are unknown.
pub fn run(script: &MappedText, params: Option<&[MappedText]>) -> ScriptRun {
    let events = shell::script_events(script);
    let tree = Tree {
        events: &events,
        pos: 0,
    }
    .parse();
    let mut runner = Runner::default();
    let start = State {
        params: params.map(<[MappedText]>::to_vec),
        status: None,
        done: false,
        returned: false,
        ending: None,
        last_server: None,
    };
    let states = runner.items(&tree, vec![start], 0);
    let endings = states
        .iter()
        .map(|s| if s.done { s.ending } else { s.last_server })
        .collect();
    ScriptRun {
        launches: runner.launches,
        endings,
        truncated: runner.truncated,
    }
}

// ---------------------------------------------------------------------------------------
// The script's structure

/// How a command is joined to the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Join {
    Seq,
    And,
    Or,
}

#[derive(Debug)]
struct Item {
    join: Join,
    negated: bool,
    node: Node,
}

#[derive(Debug)]
enum Node {
    Command(SimpleCommand),
    /// `if`/`elif` arms (condition, body) and the `else` body.
    If {
        arms: Vec<(Vec<Item>, Vec<Item>)>,
        otherwise: Vec<Item>,
    },
    Case {
        subject: MappedText,
        arms: Vec<(Vec<MappedText>, Vec<Item>)>,
    },
    /// `while`/`until`/`for` (the condition is empty for `for`): run zero or more times.
    Loop {
        cond: Vec<Item>,
        body: Vec<Item>,
    },
    Group(Vec<Item>),
    Function {
        name: String,
        body: Vec<Item>,
    },
}

struct Tree<'e> {
    events: &'e [ScriptEvent],
    pos: usize,
}

impl Tree<'_> {
    fn parse(mut self) -> Vec<Item> {
        let mut all = Vec::new();
        // A stray closing word (`fi` without `if`) ends a list early: skip it and go on.
        while self.pos < self.events.len() {
            all.extend(self.list(&[], 0));
            self.pos += 1;
        }
        all
    }

    fn peek(&self) -> Option<&ScriptEvent> {
        self.events.get(self.pos)
    }

    fn eat(&mut self, keyword: &str) {
        if matches!(self.peek(), Some(ScriptEvent::Keyword(k)) if *k == keyword) {
            self.pos += 1;
        }
    }

    /// Items up to (not including) one of the `stop` words (`;;` stops at that separator).
    fn list(&mut self, stop: &[&str], depth: usize) -> Vec<Item> {
        let mut items = Vec::new();
        let mut join = Join::Seq;
        let mut negated = false;
        while let Some(event) = self.peek() {
            let node = match event {
                ScriptEvent::Keyword(k) if stop.contains(k) => break,
                ScriptEvent::Sep(";;") if stop.contains(&";;") => break,
                ScriptEvent::Sep(sep) => {
                    join = match *sep {
                        "&&" => Join::And,
                        "||" => Join::Or,
                        _ => Join::Seq,
                    };
                    self.pos += 1;
                    continue;
                }
                ScriptEvent::Command(cmd) => {
                    let cmd = cmd.clone();
                    self.pos += 1;
                    Node::Command(cmd)
                }
                ScriptEvent::Keyword("!") => {
                    negated = !negated;
                    self.pos += 1;
                    continue;
                }
                ScriptEvent::Function(name) => {
                    let name = name.as_str().to_string();
                    self.pos += 1;
                    let body = self.function_body(depth);
                    Node::Function { name, body }
                }
                ScriptEvent::Keyword(k) if depth < MAX_NESTING => {
                    let k = *k;
                    self.pos += 1;
                    match self.compound(k, depth + 1) {
                        Some(node) => node,
                        None => continue,
                    }
                }
                // Closing words of nothing, case patterns out of place, nesting past the
                // limit: read on flat.
                _ => {
                    self.pos += 1;
                    continue;
                }
            };
            items.push(Item {
                join,
                negated,
                node,
            });
            join = Join::Seq;
            negated = false;
        }
        items
    }

    /// The compound command opened by `keyword` (already consumed).
    fn compound(&mut self, keyword: &str, depth: usize) -> Option<Node> {
        Some(match keyword {
            "if" => {
                let mut arms = Vec::new();
                let mut otherwise = Vec::new();
                loop {
                    let cond = self.list(&["then"], depth);
                    self.eat("then");
                    let body = self.list(&["elif", "else", "fi"], depth);
                    arms.push((cond, body));
                    match self.peek() {
                        Some(ScriptEvent::Keyword("elif")) => self.pos += 1,
                        Some(ScriptEvent::Keyword("else")) => {
                            self.pos += 1;
                            otherwise = self.list(&["fi"], depth);
                            self.eat("fi");
                            break;
                        }
                        _ => {
                            self.eat("fi");
                            break;
                        }
                    }
                }
                Node::If { arms, otherwise }
            }
            "while" | "until" => {
                let mut cond = self.list(&["do"], depth);
                self.eat("do");
                let body = self.list(&["done"], depth);
                self.eat("done");
                if keyword == "until" {
                    // `until c` runs the body while c fails: the same paths, negated test.
                    if let Some(last) = cond.last_mut() {
                        last.negated = !last.negated;
                    }
                }
                Node::Loop { cond, body }
            }
            "for" | "select" => {
                self.eat("do");
                let body = self.list(&["done"], depth);
                self.eat("done");
                Node::Loop {
                    cond: Vec::new(),
                    body,
                }
            }
            "case" => self.case(depth),
            "{" => {
                let body = self.list(&["}"], depth);
                self.eat("}");
                Node::Group(body)
            }
            "(" => {
                let body = self.list(&[")"], depth);
                self.eat(")");
                Node::Group(body)
            }
            // `function` is followed by the name's event.
            _ => return None,
        })
    }

    fn case(&mut self, depth: usize) -> Node {
        let mut subject = MappedText::default();
        if let Some(ScriptEvent::CaseSubject(s)) = self.peek() {
            subject = s.clone();
            self.pos += 1;
        }
        while let Some(ScriptEvent::CaseSubject(_)) = self.peek() {
            self.pos += 1;
        }
        let mut arms = Vec::new();
        loop {
            let mut patterns = Vec::new();
            while let Some(ScriptEvent::Pattern(p)) = self.peek() {
                patterns.push(p.clone());
                self.pos += 1;
            }
            match self.peek() {
                Some(ScriptEvent::PatternEnd) => {
                    self.pos += 1;
                    let body = self.list(&[";;", "esac"], depth);
                    if matches!(self.peek(), Some(ScriptEvent::Sep(";;"))) {
                        self.pos += 1;
                    }
                    arms.push((patterns, body));
                }
                Some(ScriptEvent::Keyword("esac")) => {
                    self.pos += 1;
                    break;
                }
                _ => break,
            }
        }
        Node::Case { subject, arms }
    }

    /// The body after `name()` / `function name`: the group that follows.
    fn function_body(&mut self, depth: usize) -> Vec<Item> {
        while matches!(self.peek(), Some(ScriptEvent::Sep(";"))) {
            self.pos += 1;
        }
        let close = match self.peek() {
            Some(ScriptEvent::Keyword("{")) => "}",
            Some(ScriptEvent::Keyword("(")) => ")",
            _ => return Vec::new(),
        };
        if depth >= MAX_NESTING {
            return Vec::new();
        }
        self.pos += 1;
        let body = self.list(&[close], depth + 1);
        self.eat(close);
        body
    }
}

// ---------------------------------------------------------------------------------------
// Following the ways through it

/// One way through the script so far.
#[derive(Debug, Clone)]
struct State {
    /// `$1`…; None when unknown.
    params: Option<Vec<MappedText>>,
    /// The last command's exit status, where it can be told.
    status: Option<bool>,
    /// The script is over (`exec`, `exit`).
    done: bool,
    /// A function returned.
    returned: bool,
    /// What `exec` replaced the shell with.
    ending: Option<usize>,
    /// The last server (or privilege-dropping command) it ran without `exec`.
    last_server: Option<usize>,
}

#[derive(Default)]
struct Runner<'t> {
    functions: HashMap<String, &'t [Item]>,
    launches: Vec<Launch>,
    steps: usize,
    truncated: bool,
}

impl<'t> Runner<'t> {
    fn items(&mut self, items: &'t [Item], mut states: Vec<State>, calls: usize) -> Vec<State> {
        for item in items {
            let mut next = Vec::with_capacity(states.len());
            for state in states {
                if state.done || state.returned {
                    next.push(state);
                    continue;
                }
                let runs = match item.join {
                    Join::Seq => Some(true),
                    Join::And => state.status,
                    Join::Or => state.status.map(|s| !s),
                };
                match runs {
                    Some(true) => next.extend(self.item(item, state, calls)),
                    Some(false) => next.push(state),
                    None => {
                        next.push(state.clone());
                        next.extend(self.item(item, state, calls));
                    }
                }
            }
            states = self.bound(next);
        }
        states
    }

    fn bound(&mut self, mut states: Vec<State>) -> Vec<State> {
        if states.len() > MAX_PATHS {
            self.truncated = true;
            states.truncate(MAX_PATHS);
        }
        states
    }

    fn item(&mut self, item: &'t Item, state: State, calls: usize) -> Vec<State> {
        let mut out = self.node(&item.node, state, calls);
        if item.negated {
            for s in &mut out {
                s.status = s.status.map(|b| !b);
            }
        }
        out
    }

    fn node(&mut self, node: &'t Node, state: State, calls: usize) -> Vec<State> {
        match node {
            Node::Command(cmd) => self.command(cmd, state, calls),
            Node::If { arms, otherwise } => {
                let mut pending = vec![state];
                let mut out = Vec::new();
                for (cond, body) in arms {
                    let tested = self.items(cond, std::mem::take(&mut pending), calls);
                    for s in tested {
                        if s.done || s.returned {
                            out.push(s);
                            continue;
                        }
                        match s.status {
                            Some(true) => out.extend(self.items(body, vec![s], calls)),
                            Some(false) => pending.push(s),
                            None => {
                                pending.push(s.clone());
                                out.extend(self.items(body, vec![s], calls));
                            }
                        }
                    }
                }
                out.extend(self.items(otherwise, pending, calls));
                for s in &mut out {
                    s.status = None;
                }
                self.bound(out)
            }
            Node::Case { subject, arms } => {
                let mut pending = vec![state];
                let mut out = Vec::new();
                for (patterns, body) in arms {
                    for s in std::mem::take(&mut pending) {
                        let subject = expand_one(subject, &s.params);
                        let matched = any_match(patterns, &subject, &s.params);
                        match matched {
                            Some(true) => out.extend(self.items(body, vec![s], calls)),
                            Some(false) => pending.push(s),
                            None => {
                                pending.push(s.clone());
                                out.extend(self.items(body, vec![s], calls));
                            }
                        }
                    }
                }
                out.extend(pending);
                for s in &mut out {
                    s.status = None;
                }
                self.bound(out)
            }
            Node::Loop { cond, body } => {
                // Zero times, or once (what more rounds start, the first already shows).
                let mut out = vec![state.clone()];
                for s in self.items(cond, vec![state], calls) {
                    if s.status == Some(false) || s.done || s.returned {
                        out.push(s);
                    } else {
                        out.extend(self.items(body, vec![s], calls));
                    }
                }
                for s in &mut out {
                    s.status = None;
                }
                self.bound(out)
            }
            Node::Group(body) => self.items(body, vec![state], calls),
            Node::Function { name, body } => {
                self.functions.insert(name.clone(), body);
                let mut state = state;
                state.status = Some(true);
                vec![state]
            }
        }
    }

    fn command(&mut self, cmd: &SimpleCommand, mut state: State, calls: usize) -> Vec<State> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            self.truncated = true;
            state.done = true;
            return vec![state];
        }
        let words = expand(&cmd.words, &state.params);
        let Some(first) = words.first() else {
            state.status = Some(true);
            return vec![state];
        };
        state.status = None;
        match first.as_str() {
            "exit" => {
                state.done = true;
                state.ending = None;
                return vec![state];
            }
            "return" => {
                state.returned = true;
                return vec![state];
            }
            "set" => {
                if let Some(k) = words.iter().position(|w| w.as_str() == "--") {
                    state.params = Some(words[k + 1..].to_vec());
                } else if words
                    .get(1)
                    .is_some_and(|w| !w.as_str().starts_with(['-', '+']))
                {
                    state.params = Some(words[1..].to_vec());
                }
                state.status = Some(true);
                return vec![state];
            }
            "shift" => {
                let n = words
                    .get(1)
                    .map_or(Some(1), |w| w.as_str().parse::<usize>().ok());
                state.params = match (state.params.take(), n) {
                    (Some(mut p), Some(n)) if n <= p.len() => {
                        p.drain(..n);
                        Some(p)
                    }
                    _ => None,
                };
                return vec![state];
            }
            "[" | "test" | "[[" => {
                state.status = test(&words);
                return vec![state];
            }
            "true" | ":" => {
                state.status = Some(true);
                return vec![state];
            }
            "false" => {
                state.status = Some(false);
                return vec![state];
            }
            name => {
                if let Some(body) = self.functions.get(name).copied() {
                    if calls >= MAX_CALL_DEPTH {
                        return vec![state];
                    }
                    let outer = state.params.clone();
                    let mut inner = state;
                    inner.params = Some(words[1..].to_vec());
                    let mut out = self.items(body, vec![inner], calls + 1);
                    for s in &mut out {
                        s.params.clone_from(&outer);
                        s.returned = false;
                    }
                    return out;
                }
            }
        }
        let exec = first.as_str() == "exec";
        let expanded = SimpleCommand {
            assignments: cmd.assignments.clone(),
            words,
        };
        let mut last = None;
        for launch in launcher::from_command(&expanded) {
            let counts = launch.runs_as.is_some() || launch.program.is_python_server();
            let index = self.record(launch);
            if counts || exec {
                last = Some(index);
            }
        }
        if exec && last.is_some() {
            state.done = true;
            state.ending = last;
        } else if last.is_some() {
            state.last_server = last;
        }
        vec![state]
    }

    fn record(&mut self, launch: Launch) -> usize {
        if let Some(i) = self.launches.iter().position(|l| *l == launch) {
            return i;
        }
        self.launches.push(launch);
        self.launches.len() - 1
    }
}

// ---------------------------------------------------------------------------------------
// Words and conditions

/// The words with the positional parameters put in: `"$@"` becomes the parameters, `$1` /
/// `${1}` one of them, `$#` their count. Anything else is left as written (a word still
/// holding `$` is one deploylint cannot tell).
fn expand(words: &[MappedText], params: &Option<Vec<MappedText>>) -> Vec<MappedText> {
    let mut out = Vec::with_capacity(words.len());
    for w in words {
        match (w.as_str(), params) {
            ("$@" | "${@}" | "$*" | "${*}", Some(params)) => out.extend(params.iter().cloned()),
            _ => out.push(expand_one(w, params)),
        }
    }
    out
}

/// One word with a positional parameter put in, where it is the whole word.
fn expand_one(w: &MappedText, params: &Option<Vec<MappedText>>) -> MappedText {
    let text = w.as_str();
    let synthetic = |value: &str| MappedText::standing_for(value, w.span());
    // A start script decides whether to drop privileges by asking who it runs as; it
    // matters only when that is root, so that is the answer.
    match text {
        "$(id -u)" | "`id -u`" => return synthetic("0"),
        "$(id -un)" | "$(id -u -n)" | "$(id -nu)" | "$(whoami)" | "`whoami`" => {
            return synthetic("root");
        }
        _ => {}
    }
    let Some(params) = params else {
        return w.clone();
    };
    if text == "$#" {
        return synthetic(&params.len().to_string());
    }
    let inner = text
        .strip_prefix("${")
        .and_then(|t| t.strip_suffix('}'))
        .or_else(|| text.strip_prefix('$').filter(|t| t.len() == 1));
    let Some(inner) = inner else {
        return w.clone();
    };
    // `${1#-}` / `${1%x}`: a literal prefix or suffix removed.
    let digits = inner.bytes().take_while(u8::is_ascii_digit).count();
    let Ok(n) = inner[..digits].parse::<usize>() else {
        return w.clone();
    };
    if n == 0 {
        return w.clone();
    }
    let value = params.get(n - 1).map_or("", MappedText::as_str);
    let op = &inner[digits..];
    let result = if op.is_empty() {
        return params.get(n - 1).cloned().unwrap_or_else(|| synthetic(""));
    } else if let Some(prefix) = op.strip_prefix('#').filter(|p| is_literal(p)) {
        value.strip_prefix(prefix).unwrap_or(value).to_string()
    } else if let Some(suffix) = op.strip_prefix('%').filter(|p| is_literal(p)) {
        value.strip_suffix(suffix).unwrap_or(value).to_string()
    } else {
        return w.clone();
    };
    synthetic(&result)
}

/// Whether one of a case item's patterns matches; None when that cannot be told.
fn any_match(
    patterns: &[MappedText],
    subject: &MappedText,
    params: &Option<Vec<MappedText>>,
) -> Option<bool> {
    let mut result = Some(false);
    for p in patterns {
        match glob_match(&expand_one(p, params), subject) {
            Some(true) => return Some(true),
            Some(false) => {}
            None => result = None,
        }
    }
    result
}

fn is_literal(pattern: &str) -> bool {
    !pattern.is_empty() && !pattern.contains(['*', '?', '[', '$', '#', '%'])
}

/// A word whose value deploylint knows.
fn known(w: &MappedText) -> Option<&str> {
    let t = w.as_str();
    (!t.contains(['$', '`'])).then_some(t)
}

/// The result of a `[ … ]` / `test …` / `[[ … ]]` deploylint can decide, else None.
fn test(words: &[MappedText]) -> Option<bool> {
    let mut args: Vec<&MappedText> = words.iter().skip(1).collect();
    let double = words.first().is_some_and(|w| w.as_str() == "[[");
    if matches!(args.last().map(|w| w.as_str()), Some("]" | "]]")) {
        args.pop();
    }
    let mut negate = false;
    while args.first().is_some_and(|w| w.as_str() == "!") {
        negate = !negate;
        args.remove(0);
    }
    let result = match args.as_slice() {
        [a] => Some(!known(a)?.is_empty()),
        [op, a] if op.as_str() == "-z" => Some(known(a)?.is_empty()),
        [op, a] if op.as_str() == "-n" => Some(!known(a)?.is_empty()),
        [a, op, b] => {
            let (a, b) = (known(a), known(b));
            match op.as_str() {
                "=" | "==" if double => glob_match(&text_of(b?), &text_of(a?)),
                "!=" if double => glob_match(&text_of(b?), &text_of(a?)).map(|m| !m),
                "=" | "==" => Some(a? == b?),
                "!=" => Some(a? != b?),
                "-eq" | "-ne" | "-lt" | "-le" | "-gt" | "-ge" => {
                    let (a, b) = (
                        a?.trim().parse::<i64>().ok()?,
                        b?.trim().parse::<i64>().ok()?,
                    );
                    Some(match op.as_str() {
                        "-eq" => a == b,
                        "-ne" => a != b,
                        "-lt" => a < b,
                        "-le" => a <= b,
                        "-gt" => a > b,
                        _ => a >= b,
                    })
                }
                _ => None,
            }
        }
        _ => None,
    };
    result.map(|r| r != negate)
}

fn text_of(s: &str) -> MappedText {
    let mut m = MappedText::new(0);
    m.push_str(s, 0);
    m
}

/// Whether `subject` matches a case pattern (`*`, `?` and literal text; a bracket
/// expression is not decided). None when either is not known.
fn glob_match(pattern: &MappedText, subject: &MappedText) -> Option<bool> {
    let p = known(pattern)?;
    if p == "*" {
        return Some(true);
    }
    let s = known(subject)?;
    if p.contains('[') {
        return None;
    }
    let p: Vec<char> = p.chars().collect();
    let s: Vec<char> = s.chars().collect();
    // Iterative wildcard matching with one backtrack point (linear in practice).
    let (mut i, mut j) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while j < s.len() {
        if i < p.len() && (p[i] == '?' || p[i] == s[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(st) = star {
            i = st + 1;
            mark += 1;
            j = mark;
        } else {
            return Some(false);
        }
    }
    while i < p.len() && p[i] == '*' {
        i += 1;
    }
    Some(i == p.len())
}

/// Whether a launch runs a script file deploylint may read: a program it does not know
/// named by a path or with a shell-script name, or a shell given a file to run
/// (`sh entrypoint.sh`, `bash -e /start`). Returns the script word and its arguments.
pub fn script_of(launch: &Launch) -> Option<(MappedText, Vec<MappedText>)> {
    let Program::Other { name } = &launch.program else {
        return None;
    };
    if matches!(
        name.as_str(),
        "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh" | "mksh"
    ) {
        // Options before the file; `-c` scripts were already looked into.
        let k = launch
            .args
            .iter()
            .position(|a| !a.as_str().starts_with(['-', '+']))?;
        let file = launch.args[k].clone();
        if launch.args[..k].iter().any(|a| {
            a.as_str().starts_with('-') && !a.as_str().starts_with("--") && a.as_str().contains('c')
        }) {
            return None;
        }
        return Some((file, launch.args[k + 1..].to_vec()));
    }
    let word = launch.program_word.as_ref()?;
    let text = word.as_str();
    if text.is_empty() || text.contains('$') {
        return None;
    }
    let scriptish = text.ends_with(".sh") || text.ends_with(".bash") || text.contains('/');
    scriptish.then(|| (word.clone(), launch.args.clone()))
}

#[cfg(test)]
mod tests;
