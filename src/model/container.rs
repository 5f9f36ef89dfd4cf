//! What a Dockerfile says about the image it builds: stages and their ancestry, which stages
//! ship, the effective user and the command the container starts.

use crate::diagnostic::{Diagnostic, Label};
use crate::files::FileSet;
use crate::model::deployment::{
    Account, AccountKind, Deployment, EnvVar, PathFact, PathKind, Placement, Process, Service,
    Workdir, WorkdirKind, is_root_user, wrapper_account,
};
use crate::model::launcher::{self, Launch};
use crate::model::project::ScriptLaunch;
use crate::model::script;
use crate::source::{MappedText, Span};
use crate::syntax::dockerfile::{Args, Dockerfile, Instruction, Scope, Stage};
use crate::syntax::shell;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, OnceLock};

pub struct Image<'a> {
    pub file: &'a Dockerfile,
    pub stages: Vec<Stage<'a>>,
    /// For each stage, the earlier stage it is built `FROM`, if any.
    pub parents: Vec<Option<usize>>,
    global: Scope,
    /// For each stage, the scope before each instruction of its body, built on first use:
    /// building it expands every ARG and ENV value, and the model walks each stage many times.
    stage_scopes: Vec<OnceLock<Vec<Arc<Scope>>>>,
    /// The start scripts read from the build context (see `read_scripts`).
    scripts: Vec<ImageScript>,
}

/// A script the container starts (`ENTRYPOINT ["/entrypoint.sh"]`), read from the build
/// context: the file `COPY`/`ADD` put at that path in the image.
#[derive(Debug)]
pub struct ImageScript {
    /// The repository file.
    pub path: PathBuf,
    /// Its text, mapped past the Dockerfile's own text (after earlier scripts), so spans in
    /// it never collide with the Dockerfile's: `remap` moves findings there to the file.
    pub text: MappedText,
    /// The word of the instruction that runs it.
    pub via: Span,
    /// The instruction's keyword (`ENTRYPOINT`, `CMD`), for labels.
    pub keyword: String,
}

/// Where the effective user of a stage comes from.
pub enum UserSource<'a> {
    /// A `USER` instruction; `value` is its argument with variables expanded, None when it
    /// depends on a value the Dockerfile does not give.
    Instruction {
        instruction: &'a Instruction,
        word: MappedText,
        value: Option<String>,
    },
    /// No `USER` anywhere in the stage's ancestry: the base image's default user.
    BaseImage,
}

/// A process the container starts: the launch, and the instructions it was assembled from.
pub struct ContainerLaunch<'a> {
    pub launch: Launch,
    pub instructions: Vec<&'a Instruction>,
    /// The container ends in it: the last program its command starts, or what a start
    /// script ends in (rather than a step before: `manage.py migrate`, `chown`).
    pub ends: bool,
    /// Started by a start script (its spans lie in the script's text).
    pub in_script: bool,
}

impl<'a> Image<'a> {
    pub fn new(file: &'a Dockerfile) -> Self {
        let stages = file.stages();
        let global = Scope::global(file);
        let mut parents = Vec::with_capacity(stages.len());
        for (i, stage) in stages.iter().enumerate() {
            let base = global.expand(stage.image.as_str(), file.escape);
            let parent = base.and_then(|base| {
                stages[..i].iter().rposition(|earlier| {
                    earlier
                        .name
                        .as_ref()
                        .is_some_and(|n| n.as_str().eq_ignore_ascii_case(&base))
                        || base.parse::<usize>() == Ok(earlier.index)
                })
            });
            parents.push(parent);
        }
        Image {
            file,
            stage_scopes: stages.iter().map(|_| OnceLock::new()).collect(),
            stages,
            parents,
            global,
            scripts: Vec::new(),
        }
    }

    /// Reads the start scripts the production stage runs from the build context beside
    /// `dockerfile` (whose text is `text_len` bytes), through `files`: confined to the
    /// linted trees. A script is found where the stage's `COPY`/`ADD` instructions put it.
    pub fn read_scripts(&mut self, dockerfile: &Path, text_len: usize, files: &FileSet) {
        let Some(stage) = self.production_stage() else {
            return;
        };
        let launches = self.launches(stage);
        if !launches
            .iter()
            .any(|l| script::script_of(&l.launch).is_some())
        {
            return;
        }
        let context = dockerfile.parent().unwrap_or(Path::new("")).to_path_buf();
        let workdir = self.workdir(stage);
        let copies = self.copies(stage);
        let mut base = text_len + 1;
        for l in launches {
            let Some((word, _)) = script::script_of(&l.launch) else {
                continue;
            };
            if self.scripts.iter().any(|s| s.via == word.span()) {
                continue;
            }
            for in_image in image_paths(word.as_str(), workdir.as_deref()) {
                let Some((path, text)) = find_copied(&in_image, &copies, &context, files) else {
                    continue;
                };
                let mut mapped = MappedText::new(base);
                mapped.push_str(&text, base);
                base += text.len() + 1;
                self.scripts.push(ImageScript {
                    path,
                    text: mapped,
                    via: word.span(),
                    keyword: l
                        .instructions
                        .first()
                        .map_or_else(String::new, |i| i.keyword.clone()),
                });
                break;
            }
        }
    }

    /// The account the container of `stage` ends in when its start command (through the
    /// start scripts read) switches to one on every way it ends, with the span of the
    /// instruction that starts it.
    pub fn start_drop(&self, stage: usize) -> Option<(String, Span)> {
        let launches = self.launches(stage);
        let account = dropped_account(&launches)?;
        let instruction = launches.iter().find(|l| l.ends)?.instructions.first()?;
        Some((account.name()?.to_string(), instruction.span))
    }

    /// The start scripts read by `read_scripts`.
    pub fn scripts(&self) -> &[ImageScript] {
        &self.scripts
    }

    /// Moves findings whose spans lie in a start script to that file, with a label at the
    /// instruction that runs it; labels into the script get its path.
    pub fn remap(&self, dockerfile: &Path, diagnostics: &mut [Diagnostic]) {
        let Some(first) = self.scripts.first() else {
            return;
        };
        let first_base = first.text.span().start;
        let script_at = |offset: usize| {
            (offset >= first_base)
                .then(|| {
                    self.scripts
                        .iter()
                        .rev()
                        .find(|s| s.text.span().start <= offset)
                })
                .flatten()
        };
        let shift = |span: Span, s: &ImageScript| {
            let base = s.text.span().start;
            Span::new(span.start - base, span.end.saturating_sub(base))
        };
        for d in diagnostics {
            let moved = script_at(d.span.start);
            for label in d.labels.iter_mut().filter(|l| l.path.is_none()) {
                match script_at(label.span.start) {
                    Some(s) => {
                        label.span = shift(label.span, s);
                        if moved.is_none_or(|m| !std::ptr::eq(m, s)) {
                            label.path = Some(s.path.clone());
                        }
                    }
                    None if moved.is_some() => label.path = Some(dockerfile.to_path_buf()),
                    None => {}
                }
            }
            if let Some(s) = moved {
                d.path = s.path.clone();
                d.span = shift(d.span, s);
                // `--fix` edits only the file it lints.
                d.fix = None;
                d.labels.push(Label {
                    path: Some(dockerfile.to_path_buf()),
                    span: s.via,
                    message: format!("the {} runs this script", s.keyword),
                });
            }
        }
    }

    /// Expands a `FROM` argument with the global ARGs, as BuildKit does.
    pub fn global_expand(&self, text: &str) -> Option<String> {
        self.global.expand(text, self.file.escape)
    }

    pub fn final_stage(&self) -> Option<usize> {
        self.stages.len().checked_sub(1)
    }

    /// Whether the stage is named as a development image (`FROM base AS dev`), so debug
    /// settings and development servers in it are intended.
    pub fn is_development_stage(&self, stage: usize) -> bool {
        self.stages[stage]
            .name
            .as_ref()
            .is_some_and(|name| crate::model::deployment::is_development_word(name.as_str()))
    }

    /// The stage whose start command and settings run in production: the final stage, unless
    /// it is named as a development image.
    pub fn production_stage(&self) -> Option<usize> {
        self.final_stage()
            .filter(|s| !self.is_development_stage(*s))
    }

    /// The final stage and the stages it is built from: their instructions end up in the image.
    pub fn shipped_stages(&self) -> Vec<usize> {
        let mut chain = Vec::new();
        let mut cur = self.final_stage();
        while let Some(i) = cur {
            if chain.contains(&i) {
                break;
            }
            chain.push(i);
            cur = self.parents[i];
        }
        chain.reverse();
        chain
    }

    /// Calls `visit` with each instruction of `stage` and the variable scope in force before
    /// it (ENV inherited from ancestor stages, global ARGs redeclared in the stage).
    pub fn walk_stage(&self, stage: usize, mut visit: impl FnMut(&'a Instruction, &Scope)) {
        let scopes = self.stage_scopes[stage].get_or_init(|| self.scopes_of(stage));
        for (instr, scope) in self.stages[stage].body.iter().zip(scopes) {
            visit(instr, scope);
        }
    }

    /// The scope before each instruction of `stage` (instructions that change nothing share
    /// one).
    fn scopes_of(&self, stage: usize) -> Vec<Arc<Scope>> {
        let mut scope = Scope::for_stage(self.file, &self.global);
        let mut ancestry = Vec::new();
        let mut cur = self.parents[stage];
        while let Some(p) = cur {
            if ancestry.contains(&p) || p == stage {
                break;
            }
            ancestry.push(p);
            cur = self.parents[p];
        }
        for &p in ancestry.iter().rev() {
            for instr in self.stages[p].body {
                if instr.keyword == "ENV" {
                    scope.apply(instr, self.file.escape);
                }
            }
        }
        let body = self.stages[stage].body;
        let mut scopes = Vec::with_capacity(body.len());
        let mut current = Arc::new(scope);
        for instr in body {
            scopes.push(Arc::clone(&current));
            // Only ARG and ENV change a scope (`Scope::apply`).
            if matches!(instr.keyword.as_str(), "ARG" | "ENV") {
                let mut next = Scope::clone(&current);
                next.apply(instr, self.file.escape);
                current = Arc::new(next);
            }
        }
        scopes
    }

    /// The stage's working directory, inherited through `FROM <earlier stage>`; relative
    /// WORKDIRs are joined onto the previous one as Docker does. None where unknown.
    pub fn workdir(&self, stage: usize) -> Option<String> {
        let mut chain = vec![stage];
        while let Some(p) = self.parents[*chain.last()?].filter(|p| !chain.contains(p)) {
            chain.push(p);
        }
        let mut workdir: Option<String> = None;
        for &s in chain.iter().rev() {
            self.walk_stage(s, |instr, scope| {
                if instr.keyword != "WORKDIR" {
                    return;
                }
                let Some(word) = instr.words(self.file.escape).into_iter().next() else {
                    return;
                };
                let Some(dir) = scope.expand(word.as_str(), self.file.escape) else {
                    workdir = None;
                    return;
                };
                workdir = Some(if dir.starts_with('/') {
                    dir
                } else {
                    format!(
                        "{}/{dir}",
                        workdir.as_deref().unwrap_or("").trim_end_matches('/')
                    )
                });
            });
        }
        workdir
    }

    /// What the image deploys: the production stage's start command, and the environment set
    /// by the stages it ships (`ENV`, and `ARG` defaults not re-exported by an `ENV`).
    pub fn deployment(&self) -> Deployment {
        let mut services: Vec<Service> = self
            .final_stage()
            .map(|last| {
                let (workdir, writable) = self.paths(last);
                Service {
                    user: Some(self.account(last)),
                    workdir,
                    writable,
                    ..Service::new("the image", Placement::Container)
                }
            })
            .into_iter()
            .collect();
        let Some(stage) = self.production_stage() else {
            return Deployment {
                services,
                ..Deployment::default()
            };
        };
        let launches = self.launches(stage);
        let dropped = dropped_account(&launches);
        let mut processes: Vec<Process> = launches
            .into_iter()
            .map(|l| {
                let origin = if l.in_script {
                    "the image's start script"
                } else {
                    "the image's start command"
                };
                Process::new(l.launch, Placement::Container, origin).in_service(0)
            })
            .collect();
        if let Some(account) = dropped {
            // The whole container runs as the account it drops to: judged once, there.
            for p in &mut processes {
                let wrapper = p.launch.runs_as.as_ref().map(|r| r.user.span());
                if p.user.as_ref().is_some_and(|u| Some(u.at) == wrapper) {
                    p.user = None;
                }
            }
            services[0].user = Some(account);
        }
        let mut env = Vec::new();
        for shipped in self.shipped_stages() {
            let env_keys: Vec<String> = self.stages[shipped]
                .body
                .iter()
                .filter(|i| i.keyword == "ENV")
                .flat_map(|i| i.key_values(self.file.escape))
                .map(|kv| kv.key.as_str().to_string())
                .collect();
            self.walk_stage(shipped, |instr, scope| {
                let origin = match instr.keyword.as_str() {
                    "ENV" => "ENV",
                    "ARG" => "ARG",
                    _ => return,
                };
                for kv in instr.key_values(self.file.escape) {
                    let Some(value) = &kv.value else { continue };
                    // A build argument re-exported by ENV is reported once, at the ENV.
                    if origin == "ARG" && env_keys.iter().any(|k| k == kv.key.as_str()) {
                        continue;
                    }
                    // A value that depends on something the Dockerfile does not set is unknown.
                    let Some(expanded) = scope.expand(value.as_str(), self.file.escape) else {
                        continue;
                    };
                    env.push(EnvVar::new(
                        kv.key.as_str().to_string(),
                        expanded,
                        kv.key.span().cover(value.span()),
                        origin,
                    ));
                }
            });
        }
        Deployment {
            processes,
            env,
            services,
        }
    }

    /// The account the stage's container runs as: its last `USER` (through the stages it is
    /// built from), else the default user of the external image it starts from.
    pub fn account(&self, stage: usize) -> Account {
        match self.effective_user(stage) {
            UserSource::Instruction { word, value, .. } => {
                let shown = match &value {
                    Some(v) if v == word.as_str() => v.clone(),
                    Some(v) => format!("{} (= {v})", word.as_str()),
                    None => word.as_str().to_string(),
                };
                Account {
                    kind: AccountKind::Named(value),
                    how: format!("the last USER is {shown}"),
                    at: word.span(),
                    label: None,
                }
            }
            UserSource::BaseImage => Account {
                kind: AccountKind::ImageDefault(self.base_image(stage).0),
                how: "the final stage never sets USER".to_string(),
                at: self.stages[stage].image.span(),
                label: None,
            },
        }
    }

    /// The `WORKDIR` in force when the container of `last` starts (a build step run
    /// elsewhere before a later `WORKDIR` does not matter) and the `VOLUME`s of the stages
    /// it ships.
    fn paths(&self, last: usize) -> (Option<Workdir>, Vec<PathFact>) {
        let mut last_workdir = None;
        let mut volumes = Vec::new();
        for stage in self.shipped_stages() {
            self.walk_stage(stage, |instr, scope| {
                let keyword = instr.keyword.as_str();
                if !matches!(keyword, "WORKDIR" | "VOLUME") {
                    return;
                }
                for word in instr.words(self.file.escape) {
                    let path = scope
                        .expand(word.as_str(), self.file.escape)
                        .unwrap_or_else(|| word.as_str().to_string());
                    if keyword == "WORKDIR" {
                        last_workdir = Some((word.span(), path));
                    } else {
                        volumes.push(PathFact {
                            kind: PathKind::Volume,
                            path,
                            how: "VOLUME".to_string(),
                            at: word.span(),
                        });
                    }
                }
            });
        }
        let workdir = last_workdir.map(|(at, written)| Workdir {
            // Relative WORKDIRs joined as Docker joins them, where known.
            kind: WorkdirKind::Set(self.workdir(last).unwrap_or(written)),
            how: "the container starts in".to_string(),
            at,
            label: None,
        });
        (workdir, volumes)
    }

    /// Every instruction of the file, `ONBUILD` triggers included.
    fn all_instructions(&self) -> impl Iterator<Item = &'a Instruction> {
        self.file
            .instructions
            .iter()
            .flat_map(|i| std::iter::once(i).chain(i.onbuild.as_deref()))
    }

    /// The `--chmod=` flags of `COPY`/`ADD` (every stage): the instruction, the mode, and
    /// the flag's span.
    pub fn copy_modes(&self) -> Vec<(&'a str, &'a MappedText, Span)> {
        self.all_instructions()
            .filter(|i| matches!(i.keyword.as_str(), "COPY" | "ADD"))
            .flat_map(|i| {
                i.flags
                    .iter()
                    .filter(|f| f.name == "chmod")
                    .filter_map(move |f| Some((i.keyword.as_str(), f.value.as_ref()?, f.span)))
            })
            .collect()
    }

    /// The words of each simple command the `RUN` instructions execute (every stage): a
    /// shell-form line and each heredoc body split into commands, an exec-form argv as one.
    /// Only the scripts whose text holds `word`: a rule after one command (`chmod`) need not
    /// split the scripts that cannot run it.
    pub fn run_commands_mentioning(&self, word: &str) -> Vec<Vec<MappedText>> {
        let mut out = Vec::new();
        for instr in self.all_instructions().filter(|i| i.keyword == "RUN") {
            let mut scripts: Vec<&MappedText> = Vec::new();
            match &instr.args {
                Args::Shell(text) => scripts.push(text),
                Args::Exec(words) => {
                    if words.iter().any(|w| w.as_str().contains(word)) {
                        out.push(shell::exec_command(words).words);
                    }
                }
            }
            scripts.extend(instr.heredocs.iter().map(|h| &h.body));
            for script in scripts.into_iter().filter(|s| s.as_str().contains(word)) {
                out.extend(shell::split_commands(script).into_iter().map(|c| c.words));
            }
        }
        out
    }

    /// The external image a stage is ultimately built from (following `FROM <earlier
    /// stage>`), expanded with the global ARGs where possible, and the stage that names it.
    pub fn base_image(&self, stage: usize) -> (String, usize) {
        let mut base = stage;
        while let Some(parent) = self.parents[base].filter(|p| *p < base) {
            base = parent;
        }
        let image = &self.stages[base].image;
        let reference = self
            .global_expand(image.as_str())
            .unwrap_or_else(|| image.as_str().to_string());
        (reference, base)
    }

    /// Python files the final stage's container runs (`python app.py`).
    pub fn script_launches(&self) -> Vec<ScriptLaunch> {
        let Some(stage) = self.production_stage() else {
            return Vec::new();
        };
        let launches = self.launches(stage);
        if launches.is_empty() {
            return Vec::new();
        }
        let workdir = self.workdir(stage);
        launches
            .into_iter()
            // Spans in a start script are not the Dockerfile's (the project rule reports in
            // the Dockerfile).
            .filter(|l| !l.in_script)
            .filter_map(|l| match l.launch.program {
                launcher::Program::PythonScript { script } => Some(ScriptLaunch {
                    script: script.as_str().to_string(),
                    workdir: workdir.clone(),
                    span: l.launch.program_span,
                }),
                _ => None,
            })
            .collect()
    }

    /// The user the stage runs as, following `FROM <earlier stage>`.
    pub fn effective_user(&self, stage: usize) -> UserSource<'a> {
        let mut found = None;
        self.walk_stage(stage, |instr, scope| {
            if instr.keyword == "USER"
                && let Some(word) = instr.words(self.file.escape).into_iter().next()
            {
                let value = scope.expand(word.as_str(), self.file.escape);
                found = Some(UserSource::Instruction {
                    instruction: instr,
                    word,
                    value,
                });
            }
        });
        match (found, self.parents[stage]) {
            (Some(user), _) => user,
            (None, Some(parent)) if parent < stage => self.effective_user(parent),
            (None, _) => UserSource::BaseImage,
        }
    }

    /// The last instruction with `keyword` in the stage or, failing that, its ancestors.
    /// An ENTRYPOINT in a stage resets a CMD inherited from before it, as Docker does.
    fn effective(&self, stage: usize, keyword: &str) -> Option<&'a Instruction> {
        let own = self.stages[stage]
            .body
            .iter()
            .rev()
            .find(|i| i.keyword == keyword);
        if own.is_some() {
            return own;
        }
        if keyword == "CMD"
            && self.stages[stage]
                .body
                .iter()
                .any(|i| i.keyword == "ENTRYPOINT")
        {
            return None;
        }
        match self.parents[stage] {
            Some(parent) if parent < stage => self.effective(parent, keyword),
            _ => None,
        }
    }

    /// The processes the stage's container starts: ENTRYPOINT and CMD combined as Docker
    /// combines them. A start script read from the build context (`read_scripts`) is
    /// followed to what it runs with the words it is handed; a wrapper entrypoint that was
    /// not read (`docker-entrypoint.sh`, which usually ends in `exec "$@"`) is looked
    /// through to the CMD it is handed.
    pub fn launches(&self, stage: usize) -> Vec<ContainerLaunch<'a>> {
        let entrypoint = self.effective(stage, "ENTRYPOINT");
        let cmd = self.effective(stage, "CMD");
        let mut out = Vec::new();
        let mut push = |launches: Vec<Launch>, instructions: Vec<&'a Instruction>| {
            let last = launches.len().saturating_sub(1);
            for (i, launch) in launches.into_iter().enumerate() {
                self.push_following_scripts(launch, i == last, &instructions, &mut out);
            }
        };
        match (entrypoint, cmd) {
            (Some(ep), cmd) => match &ep.args {
                Args::Shell(text) => push(launcher::from_shell(text), vec![ep]),
                Args::Exec(words) => {
                    let mut argv = words.clone();
                    let mut used = vec![ep];
                    if let Some(cmd) = cmd {
                        argv.extend(cmd_words(cmd));
                        used.push(cmd);
                    }
                    let launches = launcher::from_exec(&argv);
                    let wrapper_only = launches.iter().all(|l| {
                        matches!(l.program, launcher::Program::Other { .. })
                            && script::script_of(l)
                                .is_none_or(|(w, _)| self.script(w.span()).is_none())
                    });
                    push(launches, used);
                    if wrapper_only && let Some(cmd) = cmd {
                        push(launches_of(cmd), vec![cmd]);
                    }
                }
            },
            (None, Some(cmd)) => push(launches_of(cmd), vec![cmd]),
            (None, None) => {}
        }
        out
    }

    fn script(&self, via: Span) -> Option<&ImageScript> {
        self.scripts.iter().find(|s| s.via == via)
    }

    /// Adds `launch`, or what the start script it runs starts (with the account a wrapper
    /// around the script switched to, where the script's own command does not switch).
    fn push_following_scripts(
        &self,
        launch: Launch,
        ends: bool,
        instructions: &[&'a Instruction],
        out: &mut Vec<ContainerLaunch<'a>>,
    ) {
        let found = script::script_of(&launch)
            .and_then(|(word, args)| Some((self.script(word.span())?, args)));
        let Some((image_script, args)) = found else {
            out.push(ContainerLaunch {
                launch,
                instructions: instructions.to_vec(),
                ends,
                in_script: false,
            });
            return;
        };
        let run = script::run(&image_script.text, Some(&args));
        let finals: Vec<usize> = run.endings.iter().flatten().copied().collect();
        let open_end = run.may_end_without_launch();
        for (i, mut inner) in run.launches.into_iter().enumerate() {
            if inner.runs_as.is_none() {
                inner.runs_as.clone_from(&launch.runs_as);
            }
            let in_script = self.in_script_space(inner.program_span);
            out.push(ContainerLaunch {
                launch: inner,
                instructions: instructions.to_vec(),
                ends: ends && finals.contains(&i) && !run.truncated,
                in_script,
            });
        }
        if ends && open_end {
            // A way through the script that starts nothing deploylint can see: the account
            // the container ends in is not known from the script.
            out.push(ContainerLaunch {
                launch,
                instructions: instructions.to_vec(),
                ends: true,
                in_script: false,
            });
        }
    }

    fn in_script_space(&self, span: Span) -> bool {
        self.scripts
            .first()
            .is_some_and(|s| span.start >= s.text.span().start)
    }

    /// The `COPY`/`ADD` instructions from the build context that the stage's image holds
    /// (through the stages it is built from), each with its destination in the image.
    fn copies(&self, stage: usize) -> Vec<Copied> {
        let mut chain = vec![stage];
        while let Some(p) =
            self.parents[*chain.last().unwrap_or(&stage)].filter(|p| !chain.contains(p))
        {
            chain.push(p);
        }
        let mut out = Vec::new();
        let mut workdir = String::from("/");
        for &s in chain.iter().rev() {
            self.walk_stage(s, |instr, scope| {
                let expand = |w: &MappedText| {
                    scope
                        .expand(w.as_str(), self.file.escape)
                        .unwrap_or_else(|| w.as_str().to_string())
                };
                match instr.keyword.as_str() {
                    "WORKDIR" => {
                        if let Some(w) = instr.words(self.file.escape).first() {
                            workdir = join_image_path(&workdir, &expand(w));
                        }
                    }
                    "COPY" | "ADD" if !instr.flags.iter().any(|f| f.name == "from") => {
                        let mut words: Vec<String> =
                            instr.words(self.file.escape).iter().map(expand).collect();
                        let Some(dest) = words.pop() else {
                            return;
                        };
                        let sources: Vec<String> = words
                            .into_iter()
                            .filter(|w| !w.contains("://") && !w.starts_with("<<"))
                            .collect();
                        if sources.is_empty() {
                            return;
                        }
                        out.push(Copied {
                            dir: dest.ends_with('/') || sources.len() > 1,
                            dest: join_image_path(&workdir, &dest),
                            sources,
                        });
                    }
                    _ => {}
                }
            });
        }
        out
    }
}

/// A `COPY`/`ADD` from the build context: its sources as written and its destination.
struct Copied {
    sources: Vec<String>,
    /// Absolute, normalised.
    dest: String,
    /// The destination is a directory for certain (`/app/`, several sources).
    dir: bool,
}

/// `path` as Docker resolves it against `dir`, normalised (`.` and `..` resolved).
fn join_image_path(dir: &str, path: &str) -> String {
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{dir}/{path}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// The directories a bare command name is looked up in (the official images' `PATH`).
const PATH_DIRS: &[&str] = &[
    "/usr/local/sbin",
    "/usr/local/bin",
    "/usr/sbin",
    "/usr/bin",
    "/sbin",
    "/bin",
];

/// Where in the image a script word may name: an absolute path as is, a relative one
/// against the working directory, a bare name there (`sh start.sh`) or on `PATH`.
fn image_paths(word: &str, workdir: Option<&str>) -> Vec<String> {
    let workdir = workdir.unwrap_or("/");
    if word.starts_with('/') {
        return vec![join_image_path("/", word)];
    }
    let mut out = vec![join_image_path(workdir, word)];
    if !word.contains('/') {
        out.extend(PATH_DIRS.iter().map(|d| format!("{d}/{word}")));
    }
    out
}

/// The build-context file a `COPY`/`ADD` put at `in_image`, read through `files`; the
/// latest instruction that could have put it there wins.
fn find_copied(
    in_image: &str,
    copies: &[Copied],
    context: &Path,
    files: &FileSet,
) -> Option<(PathBuf, String)> {
    let name = in_image.rsplit('/').next().unwrap_or("");
    for copy in copies.iter().rev() {
        let mut candidates: Vec<PathBuf> = Vec::new();
        let below = in_image
            .strip_prefix(copy.dest.as_str())
            .and_then(|rest| {
                rest.strip_prefix('/')
                    .or((copy.dest == "/").then_some(rest))
            })
            .filter(|rest| !rest.is_empty());
        for source in &copy.sources {
            let source = source.trim_end_matches('/');
            let globbed = source.contains(['*', '?', '[']);
            let source_dir = if globbed {
                source.rsplit_once('/').map_or("", |(d, _)| d)
            } else {
                source
            };
            // The source is a file copied to the destination (or into it)…
            if !globbed && !copy.dir && copy.dest == in_image {
                candidates.push(context_path(context, source));
            }
            if let Some(rest) = below {
                let file = source.rsplit('/').next().unwrap_or(source);
                if globbed && !rest.contains('/') {
                    candidates.push(context_path(context, &format!("{source_dir}/{rest}")));
                } else if !globbed && rest == name && file == name {
                    candidates.push(context_path(context, source));
                }
                // …or a directory whose contents were copied there.
                if !globbed {
                    candidates.push(context_path(context, &format!("{source}/{rest}")));
                }
            }
        }
        for candidate in candidates {
            if let Ok(file) = files.read(&candidate) {
                return Some((candidate, file.text.clone()));
            }
        }
    }
    None
}

/// A build-context path under `context`, never above it.
fn context_path(context: &Path, source: &str) -> PathBuf {
    let relative: PathBuf = Path::new(source)
        .components()
        .filter(|c| matches!(c, Component::Normal(_)))
        .collect();
    context.join(relative)
}

/// The account the container ends up in when every program it ends in was started by a
/// wrapper that switches to another account than root (`exec gosu app "$@"`).
fn dropped_account(launches: &[ContainerLaunch<'_>]) -> Option<Account> {
    let mut ends = launches.iter().filter(|l| l.ends).peekable();
    ends.peek()?;
    let mut first = None;
    for l in ends {
        let account = wrapper_account(l.launch.runs_as.as_ref()?);
        if account.name().is_none_or(is_root_user) {
            return None;
        }
        first.get_or_insert(account);
    }
    let mut account = first?;
    account.how = format!("its start command switches to it with {}", account.how);
    Some(account)
}

fn launches_of(instr: &Instruction) -> Vec<Launch> {
    match &instr.args {
        Args::Shell(text) => launcher::from_shell(text),
        Args::Exec(words) => launcher::from_exec(words),
    }
}

/// CMD as arguments to an exec-form ENTRYPOINT: a shell-form CMD becomes `/bin/sh -c "…"`.
fn cmd_words(cmd: &Instruction) -> Vec<MappedText> {
    match &cmd.args {
        Args::Exec(words) => words.clone(),
        Args::Shell(text) => {
            let at = text.span().start;
            vec![synthetic("/bin/sh", at), synthetic("-c", at), text.clone()]
        }
    }
}

/// A word Docker adds that is not in the file; it maps to an empty span at `at`.
fn synthetic(text: &str, at: usize) -> MappedText {
    MappedText::standing_for(text, Span::empty(at))
}

/// The span to point at for a stage's `FROM` line: the image reference.
pub fn from_span(stage: &Stage<'_>) -> Span {
    stage.image.span()
}
