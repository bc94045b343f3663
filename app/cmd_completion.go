//go:build !wardkey_lean

package app

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// cmdCompletion prints the completion script of a shell. The scripts are
// written from describeCommands, the description --help and the man page
// use; they list the words themselves and never run wardkey while
// completing (no vault is touched by a tab).
func cmdCompletion(e *env, args []string) error {
	fs := e.flags("completion")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("completion takes one shell: bash, zsh or fish")
	}
	write, ok := map[string]func(io.Writer, []cmdSpec){
		"bash": writeBashCompletion,
		"zsh":  writeZshCompletion,
		"fish": writeFishCompletion,
	}[pos[0]]
	if !ok {
		return usagef("completion: unknown shell %q: use bash, zsh or fish", pos[0])
	}
	specs, err := describeCommands()
	if err != nil {
		return err
	}
	write(e.out, specs)
	return nil
}

// topLevel lists the commands a person types first (not "sync join").
func topLevel(specs []cmdSpec) []cmdSpec {
	var out []cmdSpec
	for _, s := range specs {
		if !strings.Contains(s.name, " ") {
			out = append(out, s)
		}
	}
	return out
}

// subCommands lists "sync join" and the like.
func subCommands(specs []cmdSpec) []cmdSpec {
	var out []cmdSpec
	for _, s := range specs {
		if strings.Contains(s.name, " ") {
			out = append(out, s)
		}
	}
	return out
}

// dashed is "--a --b" for flags.
func dashed(flags []flagSpec) string {
	var names []string
	for _, f := range flags {
		names = append(names, "--"+f.name)
	}
	return strings.Join(names, " ")
}

// valueFlagCases groups flags that take a value by how their value
// completes, as "cmd:--flag" patterns (the globals as "*:--flag"), for the
// case statements of the bash script. Keys: "file", "dir", "", or
// "choice:a b c".
func valueFlagCases(specs []cmdSpec) (keys []string, pats map[string][]string) {
	pats = map[string][]string{}
	add := func(cmd string, f flagSpec) {
		if f.arg == "" {
			return
		}
		k := f.valueKind()
		if k == "choice" {
			k += ":" + strings.Join(f.choices(), " ")
		}
		if _, ok := pats[k]; !ok {
			keys = append(keys, k)
		}
		pats[k] = append(pats[k], bashCasePattern(cmd, f.name))
	}
	for _, f := range globalFlagSpecs {
		add("*", f)
	}
	for _, s := range specs {
		for _, f := range s.flags {
			add(s.name, f)
		}
	}
	sort.Strings(keys)
	return keys, pats
}

func bashCasePattern(cmd, flag string) string {
	if cmd == "*" {
		return "*:--" + flag
	}
	return `"` + cmd + `:--` + flag + `"`
}

// writeBashCompletion writes the bash script (bash-completion's
// completions/wardkey, or source it).
func writeBashCompletion(w io.Writer, specs []cmdSpec) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format+"\n", a...) }
	keys, pats := valueFlagCases(specs)
	var all []string
	for _, k := range keys {
		all = append(all, pats[k]...)
	}
	var names []string
	for _, s := range topLevel(specs) {
		names = append(names, s.name)
	}
	globals := dashed(globalFlagSpecs) + " --help"
	p("# bash completion for wardkey(1), written by 'wardkey completion bash'")
	p("# from the same definitions as 'wardkey --help'.")
	p("_wardkey_files() {")
	p(`    local IFS=$'\n'`)
	p("    compopt -o filenames 2>/dev/null")
	p(`    COMPREPLY+=($(compgen -f -- "$cur"))`)
	p("}")
	p("_wardkey_dirs() {")
	p(`    local IFS=$'\n'`)
	p("    compopt -o filenames 2>/dev/null")
	p(`    COMPREPLY+=($(compgen -d -- "$cur"))`)
	p("}")
	p("_wardkey() {")
	p(`    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}`)
	p(`    local cmd= w i flag=$prev`)
	p(`    COMPREPLY=()`)
	p(`    if [[ $prev == = && $COMP_CWORD -ge 2 ]]; then flag=${COMP_WORDS[COMP_CWORD-2]}; fi`)
	p(`    if [[ $cur == = ]]; then flag=$prev; cur=; fi`)
	p("    # The command: the first word that is neither a flag nor a flag's value.")
	p(`    for ((i = 1; i < COMP_CWORD; i++)); do`)
	p(`        w=${COMP_WORDS[i]}`)
	p(`        case "$cmd:$w" in`)
	if len(all) > 0 {
		p(`        %s) ((i++)); [[ ${COMP_WORDS[i]} == = ]] && ((i++)); continue ;;`, strings.Join(all, "|"))
	}
	p(`        *:=) ((i++)); continue ;;`)
	p(`        *:-*) continue ;;`)
	p(`        :*) cmd=$w; continue ;;`)
	for _, s := range subCommands(specs) {
		f := strings.Fields(s.name)
		p(`        "%s:%s") cmd="%s" ;;`, f[0], f[1], s.name)
	}
	p(`        esac`)
	p(`    done`)
	p(`    case "$cmd:$flag" in`)
	for _, k := range keys {
		switch {
		case k == "file":
			p(`    %s) _wardkey_files; return ;;`, strings.Join(pats[k], "|"))
		case k == "dir":
			p(`    %s) _wardkey_dirs; return ;;`, strings.Join(pats[k], "|"))
		case strings.HasPrefix(k, "choice:"):
			p(`    %s) COMPREPLY=($(compgen -W "%s" -- "$cur")); return ;;`, strings.Join(pats[k], "|"), strings.TrimPrefix(k, "choice:"))
		default:
			p(`    %s) return ;;`, strings.Join(pats[k], "|"))
		}
	}
	p(`    esac`)
	p(`    if [[ -z $cmd ]]; then`)
	p(`        if [[ $cur == -* ]]; then`)
	p(`            COMPREPLY=($(compgen -W "%s --version" -- "$cur"))`, globals)
	p(`        else`)
	p(`            COMPREPLY=($(compgen -W "%s" -- "$cur"))`, strings.Join(names, " "))
	p(`        fi`)
	p(`        return`)
	p(`    fi`)
	p(`    local flags= words= files=`)
	p(`    case $cmd in`)
	for _, s := range specs {
		var parts []string
		if len(s.flags) > 0 {
			parts = append(parts, fmt.Sprintf(`flags="%s"`, dashed(s.flags)))
		}
		if len(s.words) > 0 {
			parts = append(parts, fmt.Sprintf(`words="%s"`, strings.Join(s.words, " ")))
		}
		if s.files {
			parts = append(parts, "files=1")
		}
		if len(parts) == 0 {
			parts = append(parts, ":")
		}
		p(`    "%s") %s ;;`, s.name, strings.Join(parts, "; "))
	}
	p(`    esac`)
	p(`    if [[ $cur == -* ]]; then`)
	p(`        COMPREPLY=($(compgen -W "$flags %s" -- "$cur"))`, globals)
	p(`        return`)
	p(`    fi`)
	p(`    COMPREPLY=($(compgen -W "$words" -- "$cur"))`)
	p(`    if [[ -n $files ]]; then _wardkey_files; fi`)
	p("}")
	p("complete -F _wardkey wardkey")
}

// zshQuote quotes s for zsh in single quotes.
func zshQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// zshDesc escapes what _arguments reads specially in an option's [text].
func zshDesc(s string) string {
	return strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`).Replace(s)
}

// zshSpec is an _arguments spec for f.
func zshSpec(f flagSpec) string {
	if f.arg == "" {
		return zshQuote("--" + f.name + "[" + zshDesc(f.usage) + "]")
	}
	action := " "
	switch f.valueKind() {
	case "file":
		action = "_files"
	case "dir":
		action = "_files -/"
	case "choice":
		action = "(" + strings.Join(f.choices(), " ") + ")"
	}
	msg := strings.NewReplacer(":", `\:`, `\`, `\\`).Replace(f.arg)
	return zshQuote("--" + f.name + "=[" + zshDesc(f.usage) + "]:" + msg + ":" + action)
}

// writeZshCompletion writes the zsh script (a #compdef file named _wardkey
// on $fpath).
func writeZshCompletion(w io.Writer, specs []cmdSpec) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format+"\n", a...) }
	p("#compdef wardkey")
	p("# zsh completion for wardkey(1), written by 'wardkey completion zsh'")
	p("# from the same definitions as 'wardkey --help'.")
	p("")
	p("_wardkey() {")
	p("  local -a global")
	p("  global=(")
	for _, f := range globalFlagSpecs {
		p("    %s", zshSpec(f))
	}
	p("  )")
	p("  local curcontext=$curcontext state line ret=1")
	p("  typeset -A opt_args")
	p(`  _arguments -C $global '(- *)--version[print the version]' '(- *)--help[describe the commands and flags]' '1: :->command' '*:: :->args' && ret=0`)
	p("  case $state in")
	p("  command)")
	p("    local -a commands")
	p("    commands=(")
	for _, s := range topLevel(specs) {
		p("      %s", zshQuote(s.name+":"+s.summary))
	}
	p("    )")
	p("    _describe -t commands 'wardkey command' commands && ret=0")
	p("    ;;")
	p("  args)")
	p("    local cmd=$words[1]")
	for _, s := range subCommands(specs) {
		f := strings.Fields(s.name)
		p(`    if [[ $cmd == %s && $words[2] == %s ]]; then cmd=%s; shift words; (( CURRENT-- )); fi`, f[0], f[1], zshQuote(s.name))
	}
	p("    case $cmd in")
	for _, s := range specs {
		args := []string{"$global", zshQuote("--help[describe this command]")}
		for _, f := range s.flags {
			args = append(args, zshSpec(f))
		}
		if len(s.words) > 0 {
			args = append(args, zshQuote("1::word:("+strings.Join(s.words, " ")+")"))
		}
		if s.files {
			args = append(args, zshQuote("*:file:_files"))
		}
		p("    %s)", zshQuote(s.name))
		p("      _arguments %s && ret=0", strings.Join(args, " \\\n        "))
		p("      ;;")
	}
	p("    esac")
	p("    ;;")
	p("  esac")
	p("  return ret")
	p("}")
	p("")
	p(`if [[ $zsh_eval_context[-1] == loadautofunc ]]; then`)
	p(`  _wardkey "$@"`)
	p("else")
	p("  compdef _wardkey wardkey")
	p("fi")
}

// fishQuote quotes s for fish in single quotes.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}

// writeFishCompletion writes the fish script
// (vendor_completions.d/wardkey.fish).
func writeFishCompletion(w io.Writer, specs []cmdSpec) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format+"\n", a...) }
	keys, pats := valueFlagCases(specs)
	var skip []string
	for _, k := range keys {
		for _, pat := range pats[k] {
			skip = append(skip, fishQuote(strings.Trim(pat, `"`)))
		}
	}
	p("# fish completion for wardkey(1), written by 'wardkey completion fish'")
	p("# from the same definitions as 'wardkey --help'.")
	p("")
	p("# __wardkey_cmd prints the command typed so far (\"\", \"add\", \"sync join\").")
	p("function __wardkey_cmd")
	p("    set -l words (commandline -opc)")
	p("    set -e words[1]")
	p("    set -l cmd ''")
	p("    set -l skip 0")
	p("    for w in $words")
	p("        if test $skip = 1")
	p("            set skip 0")
	p("            continue")
	p("        end")
	p(`        switch "$cmd:$w"`)
	if len(skip) > 0 {
		p("            case %s", strings.Join(skip, " "))
		p("                set skip 1")
		p("                continue")
	}
	p("            case '*:-*'")
	p("                continue")
	p("            case ':*'")
	p("                set cmd $w")
	for _, s := range subCommands(specs) {
		f := strings.Fields(s.name)
		p("            case %s", fishQuote(f[0]+":"+f[1]))
		p("                set cmd %s", fishQuote(s.name))
	}
	p("        end")
	p("    end")
	p("    echo $cmd")
	p("end")
	p("")
	p("function __wardkey_is")
	p("    set -l cmd (__wardkey_cmd)")
	p(`    test "$cmd" = "$argv"`)
	p("end")
	p("")
	p("complete -c wardkey -f")
	flagLine := func(cond string, f flagSpec) {
		var b strings.Builder
		b.WriteString("complete -c wardkey")
		if cond != "" {
			b.WriteString(" -n " + fishQuote(cond))
		}
		b.WriteString(" -l " + f.name)
		switch f.valueKind() {
		case "file", "dir":
			b.WriteString(" -r -F")
		case "choice":
			b.WriteString(" -x -a " + fishQuote(strings.Join(f.choices(), " ")))
		default:
			if f.arg != "" {
				b.WriteString(" -x")
			}
		}
		b.WriteString(" -d " + fishQuote(f.usage))
		p("%s", b.String())
	}
	p("# global flags, before or after the command")
	for _, f := range globalFlagSpecs {
		flagLine("", f)
	}
	p("complete -c wardkey -l help -d 'describe the commands and flags'")
	p("complete -c wardkey -n '__wardkey_is' -l version -d 'print the version'")
	p("# commands")
	for _, s := range topLevel(specs) {
		p("complete -c wardkey -n '__wardkey_is' -a %s -d %s", fishQuote(s.name), fishQuote(s.summary))
	}
	for _, s := range specs {
		cond := "__wardkey_is " + s.name
		p("# %s", s.name)
		for _, f := range s.flags {
			flagLine(cond, f)
		}
		for _, word := range s.words {
			p("complete -c wardkey -n %s -a %s", fishQuote(cond), fishQuote(word))
		}
		if s.files {
			p("complete -c wardkey -n %s -F", fishQuote(cond))
		}
	}
}
