// Command yamlparse is the floor the renderer is measured against (issue
// 11, DESIGN.md §6): it reads every .yaml file under its arguments and
// parses each with gopkg.in/yaml.v3 into nodes, as fast as a Go program can
// read YAML, and does nothing else. Only internal/perf builds it.
package main

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

func main() {
	docs := 0
	for _, root := range os.Args[1:] {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			dec := yaml.NewDecoder(bytes.NewReader(data))
			for {
				var n yaml.Node
				if err := dec.Decode(&n); err == io.EOF {
					break
				} else if err != nil {
					return fmt.Errorf("%s: %w", p, err)
				}
				docs++
			}
			return nil
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	fmt.Println(docs, "documents")
}
