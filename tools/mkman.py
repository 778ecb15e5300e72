#!/usr/bin/env python3
"""Writes xornet(1), docs/xornet.1, from the program's own --help texts.

    mkman.py XORNET [--datadir DIR] [-o PAGE]
    mkman.py XORNET [--datadir DIR] --check PAGE [--hint COMMAND]

XORNET is the built program.  `xornet --help` gives the command list and
`xornet CMD --help` each command's section, so the page says what the
program says; the NAME, EXIT STATUS, ENVIRONMENT, FILES and EXAMPLES
sections are written here.  DIR, the installed data folder the program was
built with, is printed as DATADIR/xornet so the page does not depend on the
build's prefix.  With --check, nothing is written: the exit status is 1 and
a diff is printed if PAGE is not what the program's texts give now (the
test `man` in tests/meson.build), with COMMAND as the way to regenerate it.

The --help texts are plain text in a few shapes, turned into man macros:
  usage: xornet CMD ...          the command's synopsis (indented lines
                                 after it continue it, or give another form)
  a line ending in ':' after a blank line or a list, like "data:"
                                 a heading in italics
  "  --opt ARG   what it does"   a .TP entry (flags bold, arguments
                                 italic); deeper indented lines continue it
  "  name   what it is"          a .TP entry with the name in bold
  indented lines right after a line of prose
                                 a literal block, as printed
  anything else                  filled prose; a blank line starts a paragraph
"""
import argparse
import difflib
import re
import subprocess
import sys

NAME = ("xornet \\- train dense neural networks with BLAS, rerun the XOR "
        "notebooks, fit ReLU approximations")

DESCRIPTION = r"""xornet trains dense neural networks with whole-batch matrix products on
BLAS, in double precision (\fB\-\-dtype float32\fR: single).  Its reference
problem is learning XOR: it repeats the experiments of the notebooks it
started from number for number (Python's and NumPy's random streams are
built in), reads training data as CSV, in FANN's format or as IDX images,
writes model files that round-trip every double, and draws with gnuplot
what a run did: loss and metric curves with the kept epoch, the learned
surface or curve, the confusion matrix or predictions against targets, and
approximations with their knots.  The same engine is
a C library, libxornet (\fI<xornet/xornet.h>\fR, pkg-config name
\fBxornet\fR)."""

TAIL = r""".SH EXIT STATUS
.TP
.B 0
success.
.TP
.B 1
the work failed: training diverged, a file could not be written, gnuplot is
missing for \fB\-\-plot\fR, memory ran out.
.TP
.B 2
bad usage or bad input.  The message is one line on standard error,
\fBxornet: \fIFILE\fB:\fILINE\fB: \fImessage\fR for a file's error, and
nothing a user saved is changed: model files and histories are replaced
atomically, only by a run that succeeds.
.SH ENVIRONMENT
.TP
.B OPENBLAS_NUM_THREADS
threads for the BLAS products of \fBpredict\fR, \fBeval\fR and \fBgrad\fR, as
OpenBLAS reads it; \fBxornet train\fR sets OpenBLAS to one thread and runs
the network on threads of its own (\fB\-\-threads\fR \fIN\fR).
.TP
.B TMPDIR
where \fB\-\-plot\fR writes each picture's data and gnuplot script
(default \fI/tmp\fR); only the PNG files land in the folder named.
.TP
.B PATH
where \fBgnuplot\fR is looked for (Debian: \fBapt\-get install gnuplot\-nox\fR).
.SH FILES
.TP
.I DATADIR/xornet/nb0_tf_model4.xn
the weights TensorFlow learned for notebook 0's model 4, read by
\fBxornet models\fR (DATADIR is the installation's data folder,
\fI/usr/local/share\fR by default).
.PP
Model files are text whose first line, \fBxornet\fR and a number, names
the format; data files are CSV (targets in the last columns) or FANN
training files.  The source
tree's \fIdocs/model\-format.md\fR and \fIdocs/data\-format.md\fR describe both.
.SH EXAMPLES
.nf
xornet train
xornet train \-\-layers 2,2,1 \-\-act sigmoid,sigmoid \-\-loss bce \-\-lr 1 \-\-seed 3
xornet train \-\-data xor.csv \-\-save xor.xn \-\-history h.csv \-\-plot out/
xornet predict \-\-model xor.xn \-\-data inputs.csv
xornet eval \-\-model xor.xn \-\-data xor.csv
xornet approx \-\-fn runge \-\-a \-1 \-\-b 1 \-\-n 12 \-\-plot fit.png
xornet models \-\-seeds 100
.fi
.SH SEE ALSO
.BR gnuplot (1),
.BR pkg\-config (1)
"""


def run(argv):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit("mkman: %s exited %d: %s" % (" ".join(argv), p.returncode, p.stderr.strip()))
    return p.stdout


def esc(s):
    """Text for a roff line: backslashes and minus signs escaped, and no
    line that roff would take for a request."""
    s = s.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + s if s.startswith((".", "'")) else s


def tag(t):
    """An entry's tag: an option's flags bold and its arguments italic, a
    name (a command, an experiment) bold."""
    if not t.startswith("-"):
        return "\\fB" + esc(t) + "\\fR"
    words = []
    for w in t.split(" "):
        comma = "," if w.endswith(",") and len(w) > 1 else ""
        w = w[:-1] if comma else w
        font = "B" if w.startswith("-") else "I"
        words.append("\\f%s%s\\fR%s" % (font, esc(w), comma))
    return " ".join(words)


ENTRY = re.compile(r"^(\S.*?)\s{2,}(\S.*)$")


def add_text(out, text):
    """A line of filled text; a word the help text broke at a hyphen
    ("lower-" then "triangular") is joined again."""
    if out and re.search(r"[A-Za-z]\\-$", out[-1]) and not out[-1].startswith("."):
        out[-1] += esc(text)
    else:
        out.append(esc(text))


def convert(text):
    """One --help text as man macros (see the module's comment)."""
    out = []
    lines = text.rstrip("\n").split("\n")
    # the synopsis: "usage: xornet CMD ...", then indented lines up to a
    # blank one: "xornet ..." for another form, anything else continues
    # the form before it
    if lines and lines[0].startswith("usage: "):
        forms = [lines.pop(0)[len("usage: "):].strip()]
        while lines and lines[0].startswith(" ") and lines[0].strip():
            more = lines.pop(0).strip()
            if more.startswith("xornet "):
                forms.append(more)
            else:
                forms[-1] += " " + more
        for i, form in enumerate(forms):
            words = form.split(" ", 2)
            out += [".br"] if i else [".PP"]
            out.append("\\fB%s\\fR %s" % (esc(" ".join(words[:2])), esc(" ".join(words[2:]))))
    state = "blank"   # blank, para, list, literal
    base = 0          # a literal block's indent
    for line in lines:
        text = line.strip()
        indent = len(line) - len(line.lstrip(" "))
        if not text:
            if state == "literal":
                out += [".fi", ".RE"]
            state = "blank"
        elif indent == 0:
            if state == "literal":
                out += [".fi", ".RE"]
                state = "blank"
            if text.endswith(":") and state in ("blank", "list"):
                out += [".PP", "\\fI%s\\fR" % esc(text)]
                state = "heading"
            else:
                if state != "para":
                    out.append(".PP")
                add_text(out, text)
                state = "para"
        elif state in ("para", "literal"):
            if state == "para":
                out += [".RS 2", ".nf"]
                base = indent
                state = "literal"
            out.append(esc(line[min(base, indent):].rstrip()))
        elif state == "list" and indent > 2:
            add_text(out, text)
        else:
            m = ENTRY.match(text)
            out += [".TP", tag(m.group(1)), esc(m.group(2))] if m else [".TP", tag(text)]
            state = "list"
    if state == "literal":
        out += [".fi", ".RE"]
    return out


def page(xornet, datadir):
    def help_of(*args):
        text = run([xornet, *args, "--help"])
        return text.replace(datadir, "DATADIR/xornet") if datadir else text

    main = help_of()
    commands = []
    in_list = False
    for line in main.split("\n"):
        if line == "commands:":
            in_list = True
        elif in_list and line.startswith("  "):
            commands.append(line.split()[0])
        elif in_list:
            break
    if not commands:
        sys.exit("mkman: `%s --help` lists no commands under 'commands:'" % xornet)
    version = run([xornet, "--version"]).strip()
    out = [
        ".\\\" xornet(1), generated by tools/mkman.py from the program's --help",
        ".\\\" texts: do not edit.  Regenerate with `ninja -C BUILD man`.",
        '.TH XORNET 1 "" "%s" "User Commands"' % esc(version),
        ".nh",
        ".ad l",
        ".SH NAME",
        NAME,
        ".SH SYNOPSIS",
        ".B xornet",
        ".I command",
        ".RI [ options ]",
        ".br",
        ".B xornet",
        ".I command",
        ".B \\-\\-help",
        ".br",
        ".B xornet",
        ".RB [ \\-\\-help | \\-\\-version ]",
        ".SH DESCRIPTION",
        DESCRIPTION,
    ]
    main_lines = main.split("\n")
    out += convert("\n".join(l for l in main_lines if not l.startswith("usage: ")))
    out.append(".SH COMMANDS")
    for cmd in commands:
        out.append('.SS "xornet %s"' % cmd)
        out += convert(help_of(cmd))
    return "\n".join(out) + "\n" + TAIL


def main():
    ap = argparse.ArgumentParser(description="xornet(1) from the --help texts")
    ap.add_argument("xornet", help="the built program")
    ap.add_argument("--datadir", default="", help="the installed data folder the program was built with")
    ap.add_argument("-o", "--output", help="write the page here (default: standard output)")
    ap.add_argument("--check", metavar="PAGE", help="compare with PAGE instead of writing")
    ap.add_argument("--hint", default="ninja -C build man", help="the command that regenerates the page")
    a = ap.parse_args()
    text = page(a.xornet, a.datadir)
    if a.check:
        with open(a.check, encoding="utf-8") as f:
            old = f.read()
        if old == text:
            print("%s matches the --help texts" % a.check)
            return 0
        diff = list(difflib.unified_diff(old.splitlines(), text.splitlines(),
                                         a.check, "from --help", lineterm=""))
        sys.stderr.write("\n".join(diff[:80]) + ("\n..." if len(diff) > 80 else "") + "\n")
        sys.stderr.write("%s is out of date: a --help text changed. Regenerate it with\n"
                         "    %s\nand commit it with the change.\n" % (a.check, a.hint))
        return 1
    if a.output:
        with open(a.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
