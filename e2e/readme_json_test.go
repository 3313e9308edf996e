package e2e

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spam-gear/spamcheck/pkg/exim"
	"github.com/spam-gear/spamcheck/pkg/report"
)

// readmeSection returns the README's section that starts with heading (a
// "## " line) up to the next "## " heading.
func readmeSection(t *testing.T, heading string) string {
	t.Helper()
	readme := readFile(t, filepath.Join("..", "README.md"))
	_, rest, ok := strings.Cut(readme, "\n"+heading+"\n")
	if !ok {
		t.Fatalf("README.md has no %q section", heading)
	}
	if i := strings.Index(rest, "\n## "); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

var (
	backticked = regexp.MustCompile("`([^`]+)`")
	identifier = regexp.MustCompile(`^[a-z_]+$`)
)

// readmeList returns the identifiers quoted in text from the first
// occurrence of intro up to the first end (the README's "`action` is one
// of `disabled`, …, `state_unwritable`." sentence and the like).
func readmeList(t *testing.T, text, intro, end string) []string {
	t.Helper()
	_, rest, ok := strings.Cut(text, intro)
	if !ok {
		t.Fatalf("README's JSON section does not say %q", intro)
	}
	list, _, ok := strings.Cut(rest, end)
	if !ok {
		t.Fatalf("README's JSON section: no %q after %q", end, intro)
	}
	var out []string
	for _, m := range backticked.FindAllStringSubmatch(list+"`", -1) {
		if identifier.MatchString(m[1]) {
			out = append(out, m[1])
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// jsonKeys adds the object keys of v, at every depth, to keys.
func jsonKeys(v any, keys map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			keys[k] = true
			jsonKeys(x, keys)
		}
	case []any:
		for _, x := range v {
			jsonKeys(x, keys)
		}
	}
}

// structTags returns the JSON names of typ's fields and of the structs
// they hold (report.Document and its Group).
func structTags(typ reflect.Type, tags map[string]bool) {
	for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
		typ = typ.Elem()
	}
	if typ.Kind() != reflect.Struct || typ.PkgPath() != reflect.TypeFor[report.Document]().PkgPath() {
		return
	}
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			tags[name] = true
		}
		structTags(f.Type, tags)
	}
}

// actionValues returns every string literal pkg/postfix assigns to an
// outcome's action field (outcome{action: "…"} or o.action = "…"): the
// values the JSON "action" can have.
func actionValues(t *testing.T) []string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join("..", "pkg", "postfix", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	lit := func(e ast.Expr) {
		if b, ok := e.(*ast.BasicLit); ok && b.Kind == token.STRING {
			s, err := strconv.Unquote(b.Value)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
	}
	isAction := func(e ast.Expr) bool {
		switch e := e.(type) {
		case *ast.Ident:
			return e.Name == "action"
		case *ast.SelectorExpr:
			return e.Sel.Name == "action"
		}
		return false
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.KeyValueExpr:
				if isAction(n.Key) {
					lit(n.Value)
				}
			case *ast.AssignStmt:
				for i, l := range n.Lhs {
					if isAction(l) && i < len(n.Rhs) {
						lit(n.Rhs[i])
					}
				}
			}
			return true
		})
	}
	if len(out) == 0 {
		t.Fatal("found no action values in pkg/postfix: has the outcome type changed?")
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestReadmeJSON holds the README's "JSON output" section to the code
// (issue 14): every field the report types can emit and every key of the
// checkers' JSON goldens (real output, held by the golden tests) is named
// there, the example holds no field the code does not have, and the lists
// of `action` and `kind` values are exactly what the code can emit.
func TestReadmeJSON(t *testing.T) {
	section := readmeSection(t, "## JSON output")
	before, example, ok := strings.Cut(section, "```json\n")
	if !ok {
		t.Fatal("README's JSON section has no ```json example")
	}
	example, after, _ := strings.Cut(example, "```")
	// The prose, without the fenced example (its backticks would pair
	// with the prose's).
	section = before + after
	documented := map[string]bool{}
	for _, m := range backticked.FindAllStringSubmatch(section, -1) {
		documented[m[1]] = true
	}

	// The example document.
	example = strings.ReplaceAll(example, "…", "")
	var doc any
	if err := json.Unmarshal([]byte(example), &doc); err != nil {
		t.Fatalf("README's JSON example does not parse: %v\n%s", err, example)
	}
	exampleKeys := map[string]bool{}
	jsonKeys(doc, exampleKeys)
	for k := range exampleKeys {
		documented[k] = true
	}

	tags := map[string]bool{}
	structTags(reflect.TypeFor[report.Document](), tags)
	for k := range exampleKeys {
		if !tags[k] {
			t.Errorf("README's JSON example has %q, which report.Document does not emit", k)
		}
	}
	for k := range tags {
		if !documented[k] {
			t.Errorf("JSON field %q (pkg/report) is not in README's JSON section", k)
		}
	}

	// Real output: every JSON golden of the checkers.
	goldens, err := filepath.Glob(filepath.Join("..", "pkg", "*", "testdata", "golden", "*json*.golden"))
	if err != nil {
		t.Fatal(err)
	}
	if len(goldens) < 10 {
		t.Fatalf("found only %d JSON goldens", len(goldens))
	}
	kindsSeen := map[string]bool{}
	for _, g := range goldens {
		data, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Groups []struct {
				Kind string `json:"kind"`
			} `json:"groups"`
		}
		if err := json.Unmarshal(data, &out); err != nil || json.Unmarshal(data, &doc) != nil {
			t.Errorf("%s: not one JSON document: %v", g, err)
			continue
		}
		keys := map[string]bool{}
		jsonKeys(doc, keys)
		for k := range keys {
			if !documented[k] {
				t.Errorf("%s: field %q is not in README's JSON section", g, k)
			}
		}
		for _, gr := range out.Groups {
			kindsSeen[gr.Kind] = true
		}
	}

	if diff := cmp.Diff(actionValues(t), readmeList(t, section, "`action` is one of", "`.")); diff != "" {
		t.Errorf("README's `action` values differ from pkg/postfix's (-code +README):\n%s", diff)
	}

	kinds := []string{exim.Users.String(), exim.SMTP.String(), exim.Authed.String()}
	for k := range kindsSeen {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	kinds = slices.Compact(kinds)
	if diff := cmp.Diff(kinds, readmeList(t, section, "`kind` is", ";")); diff != "" {
		t.Errorf("README's `kind` values differ from the code's and the goldens' (-code +README):\n%s", diff)
	}
}
