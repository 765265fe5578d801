package output

import (
	"bufio"
	"io"
	"strconv"
	"strings"

	"github.com/meshfleet/meshfleet/internal/safetext"
	"github.com/meshfleet/meshfleet/lint/finding"
)

// githubWriter prints GitHub Actions workflow commands, which the runner
// turns into annotations on the pull request's diff, then the summary as a
// plain log line.
type githubWriter struct{}

func (githubWriter) Name() string { return "github" }

func (githubWriter) Write(w io.Writer, r *finding.Report) error {
	fs, s := prepare(r)
	titles := ruleTitles(r)
	bw := bufio.NewWriter(w)
	for _, f := range fs {
		var props []string
		if f.File != "" {
			props = append(props, "file="+escapeProperty(safetext.Escape(slashPath(f.File))))
			if f.Line > 0 {
				props = append(props, "line="+strconv.Itoa(f.Line))
				if f.EndLine >= f.Line {
					props = append(props, "endLine="+strconv.Itoa(f.EndLine))
				}
				if f.Column > 0 {
					props = append(props, "col="+strconv.Itoa(f.Column))
					// GitHub reads columns only on a one-line annotation.
					if f.EndLine == f.Line && f.EndColumn >= f.Column {
						props = append(props, "endColumn="+strconv.Itoa(f.EndColumn))
					}
				}
			}
		}
		if t := githubTitle(f, titles[f.Rule]); t != "" {
			props = append(props, "title="+escapeProperty(safetext.Escape(t)))
		}
		// The resource matters most for rendered VMFleets, whose file and
		// line point at the fleet rather than at the resource that failed.
		msg := f.Message
		if res := f.Resource.String(); res != "" {
			msg += " [" + res + "]"
		}
		bw.WriteString("::")
		bw.WriteString(githubCommand(f.Severity))
		if len(props) > 0 {
			bw.WriteString(" ")
			bw.WriteString(strings.Join(props, ","))
		}
		bw.WriteString("::")
		bw.WriteString(escapeData(escapeKeepingLines(msg)))
		bw.WriteString("\n")
	}
	bw.WriteString(summaryLine(s))
	bw.WriteString("\n")
	return flush(bw)
}

// githubTitle heads the annotation with what is wrong, not only the rule
// ID: "MF301 DestinationRule subset selects no workload". A rule without
// catalogue metadata (a user policy without a title) gives its ID alone.
func githubTitle(f finding.Finding, title string) string {
	switch {
	case f.Rule == "":
		return title
	case title == "":
		return f.Rule
	}
	return f.Rule + " " + title
}

// githubCommand maps a severity to the annotation command of the same
// weight; GitHub calls its lowest level "notice".
func githubCommand(s finding.Severity) string {
	switch s {
	case finding.Error:
		return "error"
	case finding.Info:
		return "notice"
	}
	return "warning"
}

// escapeData escapes a command's message the way the Actions runner
// unescapes it, so a "%" or a newline in a message cannot be misread or end
// the command early. Messages pass safetext.Escape first: the runner
// unescapes %0A back into a newline and passes ESC, BEL and OSC sequences
// to the log viewer, so repository bytes must not reach it raw.
var escapeData = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace

// escapeProperty also escapes ":" and ",", which delimit a command's
// properties: a file name such as "a, b: c.yaml" stays one property.
var escapeProperty = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace

// escapeKeepingLines escapes control characters but line breaks, which
// escapeData turns into %0A and %0D: GitHub shows those as a multi-line
// annotation, and they cannot start a new workflow command.
func escapeKeepingLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		parts := strings.Split(l, "\r")
		for j, p := range parts {
			parts[j] = safetext.Escape(p)
		}
		lines[i] = strings.Join(parts, "\r")
	}
	return strings.Join(lines, "\n")
}
