//! What a Kubernetes manifest deploys: the pod templates of its workloads (Pod, Deployment,
//! StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, and the items of
//! a `List`), each container with its image, command and arguments, environment, security
//! context (pod and container level merged as the kubelet merges them), the host namespaces
//! its pod shares and the host paths it mounts. Every document of a multi-document file is
//! read, with spans into the file.

use crate::model::compose::is_development_word;
use crate::model::deployment::{
    Account, AccountKind, Deployment, EnvVar, Grant, PathFact, PathKind, Placement, Privileges,
    Process, Service,
};
use crate::model::images::{is_datastore, names_proxy};
use crate::model::launcher::{self, Launch};
use crate::model::project::ScriptLaunch;
use crate::source::{MappedText, Span};
use crate::syntax::yaml::{Kind, NodeId, Style, Yaml, YamlError};

/// A scalar from the file: its value and where it is.
#[derive(Debug, Clone, Default)]
pub struct Str {
    pub value: String,
    pub span: Span,
}

#[derive(Debug, Default)]
pub struct Manifest {
    pub workloads: Vec<Workload>,
    /// The YAML stream stopped parsing here (the documents before it are read).
    pub error: Option<YamlError>,
}

/// A resource with a pod template.
#[derive(Debug, Default)]
pub struct Workload {
    /// `Deployment`, `CronJob`, …
    pub kind: String,
    pub name: Option<Str>,
    /// Named for development or tests (its name or namespace), or in a file that is.
    pub development: bool,
    pub pod: PodSpec,
}

#[derive(Debug, Default)]
pub struct PodSpec {
    /// The `true` of `hostNetwork: true`.
    pub host_network: Option<Span>,
    pub host_pid: Option<Span>,
    pub host_ipc: Option<Span>,
    pub security: SecurityContext,
    pub containers: Vec<Container>,
    pub volumes: Vec<HostPath>,
}

/// The settings of a `securityContext` deploylint judges (pod or container level).
#[derive(Debug, Default, Clone)]
pub struct SecurityContext {
    pub run_as_user: Option<Str>,
    /// `runAsNonRoot` and where it is set.
    pub run_as_non_root: Option<(bool, Span)>,
    pub privileged: Option<Span>,
    pub allow_privilege_escalation: Option<Span>,
    pub capabilities_add: Vec<Str>,
}

#[derive(Debug, Default)]
pub struct Container {
    pub name: Str,
    /// An `initContainers` entry: it runs to completion before the others start.
    pub init: bool,
    pub image: Option<Str>,
    /// `command:` replaces the image's ENTRYPOINT, `args:` its CMD.
    pub command: Option<Vec<MappedText>>,
    pub args: Option<Vec<MappedText>>,
    pub env: Vec<EnvEntry>,
    pub security: SecurityContext,
    /// `volumeMounts` names, to find which of the pod's host paths it sees.
    pub mounts: Vec<String>,
    /// `workingDir`, against which a relative script path is found.
    pub working_dir: Option<String>,
}

/// An `env:` entry; `value` is None for `valueFrom` and for values that expand another
/// variable (`$(NAME)`), which are not literals.
#[derive(Debug, Clone)]
pub struct EnvEntry {
    pub name: String,
    pub value: Option<String>,
    pub span: Span,
}

/// A `hostPath` volume of the pod.
#[derive(Debug, Clone)]
pub struct HostPath {
    pub name: String,
    pub path: Str,
}

/// The kinds whose pod template is at `spec.template.spec`.
const TEMPLATED: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
];

/// How many `List` levels are followed (a list of lists is legal, and unusual).
const LIST_DEPTH: usize = 4;

/// Reads every document of `yaml` (parsed with `parse_stream`). `development_file` says the
/// file's own name or directory marks it as a development setup.
pub fn read(yaml: &Yaml<'_>, development_file: bool) -> Manifest {
    let mut manifest = Manifest {
        error: yaml.error.clone(),
        ..Manifest::default()
    };
    for &document in &yaml.documents {
        read_resource(yaml, document, development_file, 0, &mut manifest.workloads);
    }
    manifest
}

fn scalar_str(yaml: &Yaml<'_>, id: NodeId) -> Option<Str> {
    yaml.scalar(id).map(|v| Str {
        value: v.to_string(),
        span: yaml.span(id),
    })
}

/// The value at a path of keys, ignoring explicit nulls.
fn path(yaml: &Yaml<'_>, mut node: NodeId, keys: &[&str]) -> Option<NodeId> {
    for key in keys {
        if !yaml.is_map(node) {
            return None;
        }
        node = yaml.value(node, key)?;
    }
    Some(node)
}

fn read_resource(
    yaml: &Yaml<'_>,
    node: NodeId,
    development_file: bool,
    depth: usize,
    out: &mut Vec<Workload>,
) {
    if !yaml.is_map(node) {
        return;
    }
    let Some(kind) = yaml.value(node, "kind").and_then(|k| yaml.scalar(k)) else {
        return;
    };
    if kind.ends_with("List") {
        if depth < LIST_DEPTH
            && let Some(items) = yaml.value(node, "items")
        {
            for &item in yaml.items(items) {
                read_resource(yaml, item, development_file, depth + 1, out);
            }
        }
        return;
    }
    let spec = match kind {
        "Pod" => path(yaml, node, &["spec"]),
        "CronJob" => path(
            yaml,
            node,
            &["spec", "jobTemplate", "spec", "template", "spec"],
        ),
        k if TEMPLATED.contains(&k) => path(yaml, node, &["spec", "template", "spec"]),
        _ => None,
    };
    let Some(spec) = spec.filter(|s| yaml.is_map(*s)) else {
        return;
    };
    let name = path(yaml, node, &["metadata", "name"]).and_then(|n| scalar_str(yaml, n));
    let namespace = path(yaml, node, &["metadata", "namespace"]).and_then(|n| yaml.scalar(n));
    let development = development_file
        || name.as_ref().is_some_and(|n| is_development_word(&n.value))
        || namespace.is_some_and(is_development_word);
    out.push(Workload {
        kind: kind.to_string(),
        name,
        development,
        pod: pod_spec(yaml, spec),
    });
}

fn pod_spec(yaml: &Yaml<'_>, spec: NodeId) -> PodSpec {
    let flag = |key: &str| {
        yaml.value(spec, key)
            .filter(|v| plain_bool(yaml, *v) == Some(true))
            .map(|v| yaml.span(v))
    };
    let mut pod = PodSpec {
        host_network: flag("hostNetwork"),
        host_pid: flag("hostPID"),
        host_ipc: flag("hostIPC"),
        security: yaml
            .value(spec, "securityContext")
            .map(|s| security_context(yaml, s))
            .unwrap_or_default(),
        ..PodSpec::default()
    };
    for (key, init) in [("initContainers", true), ("containers", false)] {
        let Some(list) = yaml.value(spec, key) else {
            continue;
        };
        for &item in yaml.items(list) {
            if yaml.is_map(item) {
                pod.containers.push(container(yaml, item, init));
            }
        }
    }
    if let Some(volumes) = yaml.value(spec, "volumes") {
        for &volume in yaml.items(volumes) {
            let name = path(yaml, volume, &["name"]).and_then(|n| yaml.scalar(n));
            let host = path(yaml, volume, &["hostPath", "path"]).and_then(|p| scalar_str(yaml, p));
            if let (Some(name), Some(host)) = (name, host) {
                pod.volumes.push(HostPath {
                    name: name.to_string(),
                    path: host,
                });
            }
        }
    }
    pod
}

/// A boolean as the API server's YAML reader (YAML 1.1) reads a plain scalar: `yes` and `on`
/// are true too. A quoted `"true"` is a string, which the API rejects for a boolean field.
fn plain_bool(yaml: &Yaml<'_>, node: NodeId) -> Option<bool> {
    let Kind::Scalar {
        value,
        style: Style::Plain,
    } = &yaml.node(node).kind
    else {
        return None;
    };
    match value.as_str() {
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => {
            Some(true)
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n" | "N" => {
            Some(false)
        }
        _ => None,
    }
}

fn security_context(yaml: &Yaml<'_>, node: NodeId) -> SecurityContext {
    if !yaml.is_map(node) {
        return SecurityContext::default();
    }
    let bool_at = |key: &str| {
        yaml.value(node, key)
            .and_then(|v| plain_bool(yaml, v).map(|b| (b, yaml.span(v))))
    };
    let true_at = |key: &str| bool_at(key).filter(|(b, _)| *b).map(|(_, s)| s);
    SecurityContext {
        run_as_user: yaml
            .value(node, "runAsUser")
            .and_then(|v| scalar_str(yaml, v)),
        run_as_non_root: bool_at("runAsNonRoot"),
        privileged: true_at("privileged"),
        allow_privilege_escalation: true_at("allowPrivilegeEscalation"),
        capabilities_add: path(yaml, node, &["capabilities", "add"])
            .map(|list| {
                yaml.items(list)
                    .iter()
                    .filter_map(|c| scalar_str(yaml, *c))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn container(yaml: &Yaml<'_>, node: NodeId, init: bool) -> Container {
    let words = |key: &str| yaml.value(node, key).map(|v| command_words(yaml, v));
    let mut env = Vec::new();
    if let Some(list) = yaml.value(node, "env") {
        for &item in yaml.items(list) {
            let Some(name) = path(yaml, item, &["name"]).and_then(|n| yaml.scalar(n)) else {
                continue;
            };
            // `valueFrom` (a secret, a config map, a field) is not a literal; neither is a
            // value that expands another variable.
            let value = yaml
                .get(item, "value")
                .and_then(|(_, v)| yaml.scalar(v))
                .filter(|v| !expands_variable(v))
                .filter(|_| yaml.value(item, "valueFrom").is_none())
                .map(str::to_string);
            // Findings point at the value, where it is written, not the whole entry.
            let span = yaml
                .get(item, "value")
                .map_or(yaml.span(item), |(_, v)| yaml.span(v));
            env.push(EnvEntry {
                name: name.to_string(),
                value,
                span,
            });
        }
    }
    let mounts = yaml
        .value(node, "volumeMounts")
        .map(|list| {
            yaml.items(list)
                .iter()
                .filter_map(|m| path(yaml, *m, &["name"]).and_then(|n| yaml.scalar(n)))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    Container {
        name: path(yaml, node, &["name"])
            .and_then(|n| scalar_str(yaml, n))
            .unwrap_or_default(),
        init,
        image: yaml.value(node, "image").and_then(|v| scalar_str(yaml, v)),
        command: words("command"),
        args: words("args"),
        env,
        security: yaml
            .value(node, "securityContext")
            .map(|s| security_context(yaml, s))
            .unwrap_or_default(),
        mounts,
        working_dir: yaml
            .value(node, "workingDir")
            .and_then(|w| yaml.scalar(w))
            .map(str::to_string),
    }
}

/// `command:`/`args:` are argv lists: no shell splits them. (A scalar is not valid there;
/// it is read as one word, as a lenient client would not split it either.)
fn command_words(yaml: &Yaml<'_>, value: NodeId) -> Vec<MappedText> {
    match &yaml.node(value).kind {
        Kind::Seq(items) => items
            .iter()
            .filter(|i| yaml.scalar(**i).is_some())
            .map(|i| yaml.text(*i))
            .collect(),
        Kind::Scalar { .. } => vec![yaml.text(value)],
        _ => Vec::new(),
    }
}

/// Whether a value refers to another variable (`$(NAME)`), which the kubelet expands; `$$(`
/// is an escaped, literal `$(`.
pub fn expands_variable(value: &str) -> bool {
    let b = value.as_bytes();
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == b'$' {
            if b[i + 1] == b'$' {
                i += 2;
                continue;
            }
            if b[i + 1] == b'(' {
                return true;
            }
        }
        i += 1;
    }
    false
}

/// Runtime sockets whose holder controls the host's containers.
const RUNTIME_SOCKETS: &[&str] = &[
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run/containerd/containerd.sock",
    "/run/containerd/containerd.sock",
    "/var/run/crio/crio.sock",
    "/run/crio/crio.sock",
];

/// Whether a host path is a container runtime's control socket.
pub fn is_runtime_socket(path: &str) -> bool {
    let path = path.trim().trim_end_matches('/');
    RUNTIME_SOCKETS.contains(&path)
}

impl Container {
    /// The processes it starts: `command:` (its entrypoint) with `args:` appended, a wrapper
    /// looked through to the arguments it is handed; `args:` alone as the command line.
    pub fn launches(&self) -> Vec<(Launch, &'static str)> {
        let mut out = Vec::new();
        match (&self.command, &self.args) {
            (Some(command), args) if !command.is_empty() => {
                let mut argv = command.clone();
                argv.extend(args.iter().flatten().cloned());
                let launches = launcher::from_exec(&argv);
                let wrapper_only = launches
                    .iter()
                    .all(|l| matches!(l.program, launcher::Program::Other { .. }));
                out.extend(
                    launches
                        .into_iter()
                        .map(|l| (l, "the container's command:")),
                );
                if wrapper_only && let Some(args) = args {
                    out.extend(
                        launcher::from_exec(args)
                            .into_iter()
                            .map(|l| (l, "the container's args:")),
                    );
                }
            }
            (_, Some(args)) if !args.is_empty() => out.extend(
                launcher::from_exec(args)
                    .into_iter()
                    .map(|l| (l, "the container's args:")),
            ),
            _ => {}
        }
        out
    }

    /// Whether its image is a datastore, a proxy or the `pause` placeholder (a pod whose only
    /// long-running container is `pause` exists for its init containers' effect on the
    /// node), whose accounts and privileges are outside deploylint's remit.
    fn runs_other_software(&self) -> bool {
        self.image.as_ref().is_some_and(|i| {
            let repository = i.value.split([':', '@']).next().unwrap_or("");
            is_datastore(&i.value)
                || names_proxy(&i.value)
                || repository.rsplit('/').next() == Some("pause")
        })
    }
}

/// Tells the account an image runs as when the manifest does not say, from what builds the
/// image in the linted tree (a compose service that builds it from a Dockerfile); None when
/// nothing there builds an image of that name.
pub type ImageAccount<'a> = dyn Fn(&Str) -> Option<Account> + 'a;

impl Manifest {
    /// Python files the production containers run (`python app.py`), for the rules that look
    /// into the code a launcher starts.
    pub fn script_launches(&self) -> Vec<ScriptLaunch> {
        let mut out = Vec::new();
        for workload in self.workloads.iter().filter(|w| !w.development) {
            for container in workload.pod.containers.iter().filter(|c| !c.init) {
                for (launch, _) in container.launches() {
                    if let launcher::Program::PythonScript { script } = launch.program {
                        out.push(ScriptLaunch {
                            script: script.as_str().to_string(),
                            workdir: container.working_dir.clone(),
                            span: launch.program_span,
                        });
                    }
                }
            }
        }
        out
    }

    /// Lowers each container of each production workload into a service with its processes,
    /// environment, account, host mounts and privileges.
    pub fn deployment(&self, image_account: &ImageAccount<'_>) -> Deployment {
        let mut out = Deployment::default();
        for workload in self.workloads.iter().filter(|w| !w.development) {
            let pod = &workload.pod;
            let placement = if pod.host_network.is_some() {
                Placement::Host
            } else {
                Placement::Container
            };
            // A pod around a datastore or proxy (its init containers preparing the host for
            // Elasticsearch) is not the app's.
            let app_pod = pod
                .containers
                .iter()
                .filter(|c| !c.init)
                .any(|c| !c.runs_other_software());
            let workload_name = match &workload.name {
                Some(name) => format!("{} `{}`", workload.kind, name.value),
                None => workload.kind.clone(),
            };
            for container in &pod.containers {
                let index = out.services.len();
                let subject = format!(
                    "{} `{}` of {workload_name}",
                    if container.init {
                        "init container"
                    } else {
                        "container"
                    },
                    container.name.value
                );
                let writable = pod
                    .volumes
                    .iter()
                    .filter(|v| container.mounts.contains(&v.name))
                    .map(|v| PathFact {
                        kind: PathKind::HostMount,
                        path: v.path.value.trim_end_matches('/').to_string(),
                        how: format!("{subject} mounts the host's"),
                        at: v.path.span,
                    })
                    .collect();
                out.services.push(Service {
                    runs_app: app_pod && !container.runs_other_software(),
                    user: account(pod, container, image_account),
                    writable,
                    name: Some(container.name.value.clone()),
                    image: container.image.as_ref().map(|i| i.value.clone()),
                    privileges: privileges(pod, container, &subject),
                    ..Service::new(subject, placement)
                });
                for (launch, origin) in container.launches() {
                    out.processes
                        .push(Process::new(launch, placement, origin).in_service(index));
                }
                for entry in &container.env {
                    if let Some(value) = &entry.value {
                        out.env.push(EnvVar {
                            service: Some(index),
                            ..EnvVar::new(entry.name.clone(), value.clone(), entry.span, "env:")
                        });
                    }
                }
            }
        }
        out
    }
}

/// The account a container runs as: not root where `runAsNonRoot: true` makes the kubelet
/// refuse root, else its `runAsUser` (else the pod's), else what builds its image.
fn account(
    pod: &PodSpec,
    container: &Container,
    image_account: &ImageAccount<'_>,
) -> Option<Account> {
    let (own, shared) = (&container.security, &pod.security);
    // With `runAsNonRoot: true` the kubelet refuses to start the container as root, whatever
    // `runAsUser` or the image says.
    if let Some((true, at)) = own.run_as_non_root.or(shared.run_as_non_root) {
        return Some(Account {
            kind: AccountKind::Unprivileged,
            how: "runAsNonRoot: true".to_string(),
            at,
            label: None,
        });
    }
    if let Some(user) = own.run_as_user.as_ref().or(shared.run_as_user.as_ref()) {
        let level = if own.run_as_user.is_some() {
            "the container's"
        } else {
            "the pod's"
        };
        return Some(Account {
            kind: AccountKind::Named(Some(user.value.clone())),
            how: format!("{level} securityContext sets runAsUser: {}", user.value),
            at: user.span,
            label: None,
        });
    }
    // `runAsNonRoot: false` or nothing: the image's user, where the tree says which.
    let image = container.image.as_ref()?;
    let mut account = image_account(image)?;
    account.at = image.span;
    Some(account)
}

/// What the container is granted beyond a default container: its own security context, the
/// host namespaces its pod shares, and runtime sockets it mounts.
fn privileges(pod: &PodSpec, container: &Container, subject: &str) -> Privileges {
    let own = &container.security;
    let grant = |value: &str, how: &str, at: Span| Grant {
        value: value.to_string(),
        how: how.to_string(),
        at,
    };
    let mut out = Privileges {
        privileged: own
            .privileged
            .map(|at| grant("privileged: true", "securityContext", at)),
        escalation: own
            .allow_privilege_escalation
            .map(|at| grant("allowPrivilegeEscalation: true", "securityContext", at)),
        capabilities: own
            .capabilities_add
            .iter()
            .map(|c| grant(&c.value, "securityContext.capabilities.add", c.span))
            .collect(),
        ..Privileges::default()
    };
    for (flag, name) in [(pod.host_pid, "hostPID"), (pod.host_ipc, "hostIPC")] {
        if let Some(at) = flag {
            out.host_namespaces
                .push(grant(&format!("{name}: true"), "the pod spec", at));
        }
    }
    for volume in pod
        .volumes
        .iter()
        .filter(|v| container.mounts.contains(&v.name) && is_runtime_socket(&v.path.value))
    {
        out.runtime_socket.push(grant(
            &volume.path.value,
            &format!("{subject} mounts the host's"),
            volume.path.span,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::yaml;

    fn manifest(src: &str) -> Manifest {
        read(&yaml::parse_stream(src), false)
    }

    #[test]
    fn pod_templates_of_each_kind() {
        let container = "containers:\n- name: web\n  image: app\n";
        let indent = |text: &str, by: usize| {
            text.lines()
                .map(|l| format!("{}{l}\n", " ".repeat(by)))
                .collect::<String>()
        };
        let pod = format!("kind: Pod\nspec:\n{}", indent(container, 2));
        let deployment = format!(
            "kind: Deployment\nspec:\n  template:\n    spec:\n{}",
            indent(container, 6)
        );
        let cron = format!(
            "kind: CronJob\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n{}",
            indent(container, 10)
        );
        let list = format!("kind: List\nitems:\n- {}", indent(&pod, 2).trim_start());
        let src = [
            pod.as_str(),
            &deployment,
            &cron,
            &list,
            "kind: Service\nspec: {}\n",
        ]
        .join("---\n");
        let m = manifest(&src);
        let kinds: Vec<_> = m.workloads.iter().map(|w| w.kind.as_str()).collect();
        assert_eq!(kinds, ["Pod", "Deployment", "CronJob", "Pod"]);
        assert!(m.workloads.iter().all(|w| w.pod.containers.len() == 1));
    }

    #[test]
    fn env_literals_and_references() {
        let m = manifest(
            "kind: Pod\nspec:\n  containers:\n  - name: w\n    env:\n    - {name: A, value: \"1\"}\n    - name: B\n      valueFrom: {secretKeyRef: {name: s, key: k}}\n    - {name: C, value: \"$(A)\"}\n    - {name: D, value: \"$$(A)\"}\n",
        );
        let env: Vec<_> = m.workloads[0].pod.containers[0]
            .env
            .iter()
            .map(|e| (e.name.as_str(), e.value.as_deref()))
            .collect();
        assert_eq!(
            env,
            [
                ("A", Some("1")),
                ("B", None),
                ("C", None),
                ("D", Some("$$(A)"))
            ]
        );
    }

    #[test]
    fn container_settings_override_the_pod() {
        let m = manifest(
            "kind: Pod\nspec:\n  securityContext: {runAsUser: 0}\n  containers:\n  - name: a\n    image: app\n  - name: b\n    image: app\n    securityContext: {runAsUser: 1000}\n  - name: c\n    image: app\n    securityContext: {runAsNonRoot: true}\n",
        );
        let d = m.deployment(&|_| None);
        let users: Vec<_> = d
            .services
            .iter()
            .map(|s| s.user.as_ref().map(|u| u.is_root(|_| false)))
            .collect();
        assert_eq!(users, [Some(true), Some(false), Some(false)]);
    }

    #[test]
    fn development_workloads_are_left_out() {
        let src = "kind: Pod\nmetadata: {name: web, namespace: dev}\nspec:\n  containers:\n  - {name: w, image: app, command: [flask, run]}\n";
        assert!(manifest(src).deployment(&|_| None).processes.is_empty());
        let prod = src.replace("dev}", "shop}");
        assert_eq!(manifest(&prod).deployment(&|_| None).processes.len(), 1);
    }

    #[test]
    fn runtime_sockets() {
        assert!(is_runtime_socket("/var/run/docker.sock"));
        assert!(is_runtime_socket("/run/containerd/containerd.sock"));
        assert!(!is_runtime_socket("/var/run"));
        assert!(!is_runtime_socket("/var/run/docker.sock.bak"));
    }
}
