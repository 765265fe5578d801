package lint

// WriteCorpus lets the behaviour model's benchmark (package lint_test,
// which may import lint/mesh) run on the corpus lint's benchmarks use.
var WriteCorpus = writeCorpus
