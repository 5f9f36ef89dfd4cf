//! The whole tool over the real-world corpus in `../shared/corpus/realworld` (skipped with a
//! message where the corpus is absent; CI requires it). Nothing may fail to parse beyond the
//! files BuildKit itself rejects, and the findings are pinned so a change in what the rules
//! say about real files is reviewed, not silent.

mod common;

use std::collections::BTreeMap;

/// Files their own tools reject too: BuildKit's negative parser cases, a deliberately broken
/// compose fixture, and two manifests kubectl would refuse.
const EXPECTED_SYNTAX_ERRORS: &[&str] = &[
    "buildkit-parser-testfiles/testfiles-negative/",
    "docker__compose__pkg__e2e__fixtures__wrong-composefile__",
    // Manifests kubectl rejects too (see tests/kubernetes_corpus.rs).
    "kubernetes-engine-samples__ai-ml__gke-model-armor__preparing-the-model__vllm-gemma-deployment.yaml",
    "python-docs-samples__endpoints__kubernetes__k8s-grpc-bookstore.yaml",
    // nginx files `nginx -t` rejects too (see tests/nginx_corpus.rs).
    "samizdat__usr__share__doc__samizdat__examples__nginx__conf.d__samizdat.conf",
    "HEMARatings__hemaratings.submit__config__nginx__nginx.conf",
    "kubernetes__ingress-nginx__test__data__cleanConf.",
    "nginxinc__crossplane__tests__configs__missing-semicolon__",
];

#[test]
fn corpus_lints_cleanly_and_findings_are_pinned() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let out = common::bin()
        .args(["check", "--output-format", "concise", "--color", "never"])
        .arg(&corpus)
        .output()
        .unwrap();
    let stderr = common::stderr(&out);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "exit {:?}: {stderr}",
        out.status.code()
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    let text = common::stdout(&out);
    let prefix = format!("{}/", corpus.display());
    let lines: Vec<&str> = text
        .lines()
        .map(|l| l.strip_prefix(&prefix).unwrap_or(l))
        .collect();
    assert!(
        lines.len() > 500,
        "the corpus Dockerfiles were not found: {}",
        lines.len()
    );

    let mut per_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for line in &lines {
        let code = line.split(' ').nth(1).unwrap_or("");
        *per_rule.entry(code).or_default() += 1;
        if code == "SYN001" {
            assert!(
                EXPECTED_SYNTAX_ERRORS.iter().any(|ok| line.contains(ok)),
                "unexpected syntax error in the corpus: {line}"
            );
        }
    }
    // Rare findings are listed one by one; the common ones are counted.
    let rare: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| !l.contains(" USR001 ") && !l.contains(" FS001 "))
        .collect();
    let summary = format!("{per_rule:#?}\n{}", rare.join("\n"));
    insta::assert_snapshot!("corpus_findings", summary);
}
