"""Sphinx extension: the bibliography in author-year style, and search that finds chapters by title.

Bibliography. The text cites author-year (sphinxcontrib-bibtex's ``bibtex_reference_style:
author_year``); the pybtex formatting style registered here as ``author_year`` (select it with
``bibtex_default_style: author_year``) labels the list the same way, "Hochreiter and Schmidhuber,
1997", "Gers et al., 2000", and sorts it by author, year and title. This is the way
sphinxcontrib-bibtex documents for custom styles: pybtex plugins registered with
``pybtex.plugin.register_plugin``.

Search. Sphinx's search page fetches every result's whole HTML page to cut a snippet from it: a
chapter page is 0.4-1.1 MB (the widgets' saved frames), and the snippet shows TeX source. This
extension writes, for every page, a small JSON file ``_search/<page>.json`` holding the page's
plain text (math turned into Unicode text, no widget state, no page chrome) and the character span
of every element id, so that snippets of section results still come from their section.
``_static/search-scorer.js`` is installed as Sphinx's ``html_search_scorer`` (Sphinx inlines it
into language_data.js, which every page loads after searchtools.js). It lists each page once, ranks
a page first when the query is the page's title, and reads the snippets from those JSON files.
"""

import json
import os
import re
from collections import Counter

from docutils import nodes

SCORER = "_static/search-scorer.js"
TEXT_DIR = "_search"

# --- bibliography ---------------------------------------------------------------------------------


def _last_names(person):
    return " ".join(part.render_as("text") for part in person.rich_prelast_names + person.rich_last_names)


def author_year_label(entry):
    """'Elman, 1990', 'Hochreiter and Schmidhuber, 1997', 'Gers et al., 2000': the names as
    sphinxcontrib-bibtex's author_year citations print them, then the year."""
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [_last_names(p) for p in persons]
    if not names:
        who = entry.fields.get("title", entry.key)
    elif len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    year = entry.fields.get("year", "")
    return f"{who}, {year}" if year else who


def register_bibliography_style():
    """Register the pybtex plugins: labels ``author_year`` and formatting style ``author_year``."""
    from pybtex.plugin import register_plugin
    from pybtex.style.formatting.unsrt import Style as UnsrtStyle
    from pybtex.style.labels import BaseLabelStyle

    class AuthorYearLabelStyle(BaseLabelStyle):
        """Author-year labels; two works with the same label get 'a', 'b' (in sorted order)."""

        def format_labels(self, sorted_entries):
            labels = [author_year_label(entry) for entry in sorted_entries]
            count, seen = Counter(labels), Counter()
            for label in labels:
                if count[label] == 1:
                    yield label
                else:
                    yield label + chr(ord("a") + seen[label])
                    seen[label] += 1

    class AuthorYearStyle(UnsrtStyle):
        """pybtex's unsrt entries, sorted by author, year and title, labelled author-year."""

        default_sorting_style = "author_year_title"
        default_label_style = "author_year"

    for group, plugin in [("pybtex.style.labels", AuthorYearLabelStyle),
                          ("pybtex.style.formatting", AuthorYearStyle)]:
        try:
            register_plugin(group, "author_year", plugin)
        except Exception:  # registered before (pybtex refuses to register a name twice)
            pass


# --- plain text of a page, for search snippets ----------------------------------------------------

_GREEK = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau "
          "upsilon phi chi psi omega").split()
SYMBOLS = dict(zip(_GREEK, "αβγδεζηθικλμνξπρστυφχψω"))
SYMBOLS.update({name.capitalize(): char for name, char in zip(
    ["gamma", "delta", "theta", "lambda", "xi", "pi", "sigma", "upsilon", "phi", "psi", "omega"],
    "ΓΔΘΛΞΠΣΥΦΨΩ")})
SYMBOLS.update({
    "varepsilon": "ε", "varphi": "φ", "vartheta": "ϑ", "ell": "ℓ",
    "odot": "⊙", "circ": "∘", "cdot": "·", "times": "×", "otimes": "⊗", "oplus": "⊕", "pm": "±",
    "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈", "sim": "∼",
    "propto": "∝", "equiv": "≡", "ll": "≪", "gg": "≫", "lesssim": "≲", "gtrsim": "≳",
    "to": "→", "rightarrow": "→", "leftarrow": "←",
    "Rightarrow": "⇒", "Leftarrow": "⇐", "iff": "⇔", "mapsto": "↦", "infty": "∞", "partial": "∂",
    "nabla": "∇", "sum": "Σ", "prod": "Π", "int": "∫", "in": "∈", "notin": "∉", "subset": "⊂",
    "cup": "∪", "cap": "∩", "forall": "∀", "exists": "∃", "ldots": "…", "dots": "…", "cdots": "⋯",
    "vdots": "⋮", "ddots": "⋱", "top": "ᵀ", "intercal": "ᵀ", "prime": "′", "mid": "|", "vert": "|",
    "lvert": "|", "rvert": "|", "Vert": "‖", "lVert": "‖", "rVert": "‖", "langle": "⟨", "rangle": "⟩",
    "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉", "quad": " ", "qquad": " ", "neg": "¬",
    "land": "∧", "lor": "∨", "setminus": "∖", "emptyset": "∅", "star": "⋆", "ast": "∗", "dagger": "†",
    "{": "{", "}": "}", "%": "%", "&": "&", "_": "_", "#": "#", "$": "$", "|": "‖", ",": " ", ";": " ",
    ":": " ", ">": " ", "!": "", " ": " ", "\\": "; ",
})
FUNCTIONS = set("tanh sinh cosh exp log ln max min sin cos tan arg det sup inf lim argmax argmin sgn "
                "dim ker Pr".split())
KEEP_ARGUMENT = set("text textrm textit textbf textsf texttt mathrm mathit mathbf mathsf mathtt mathcal "
                    "mathscr mathfrak boldsymbol bm operatorname emph underbrace overbrace underline "
                    "overline boxed mbox hbox fbox".split())
ACCENTS = {"hat": "\u0302", "widehat": "\u0302", "tilde": "\u0303", "widetilde": "\u0303",
           "bar": "\u0304", "vec": "\u20d7", "dot": "\u0307", "ddot": "\u0308"}
DROP = set("left right big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr displaystyle textstyle "
           "scriptstyle nonumber notag limits nolimits middle".split())
DROP_WITH_ARGUMENT = {"label": 1, "tag": 1, "begin": 1, "end": 1, "hspace": 1, "vspace": 1, "phantom": 1,
                      "hphantom": 1, "vphantom": 1}
DOUBLE_STRUCK = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼", "P": "ℙ"}
SUB = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
SUP = dict(zip("0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW",
               "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ"))
SUP.update({"ᵀ": "ᵀ", "′": "′", "*": "*", "∗": "*"})


def _atom(text):
    """`text` as one term of a fraction: bracketed unless it is a single word (x, 2, hₜ₋₁, ∂L)."""
    return text if re.fullmatch(r"[\w.′∂]+", text) else f"({text})"


class _TeX:
    """A small reader of TeX math that writes what a reader would say: Unicode letters, operators,
    sub- and superscripts where Unicode has them, a/b for fractions; no backslashes, no braces."""

    def __init__(self, source):
        self.s, self.i = source, 0

    def group(self):
        """The next argument, converted: a {...} group, a command or one character."""
        s = self.s
        while self.i < len(s) and s[self.i].isspace():
            self.i += 1
        if self.i >= len(s):
            return ""
        if s[self.i] == "{":
            depth, start = 0, self.i
            while self.i < len(s):
                depth += {"{": 1, "}": -1}.get(s[self.i], 0)
                self.i += 1
                if depth == 0:
                    break
            return _TeX(s[start + 1:self.i - 1]).text()
        if s[self.i] == "\\":
            return self.command()
        self.i += 1
        return s[self.i - 1]

    def raw_group(self):
        start = self.i
        self.group()
        return self.s[start:self.i]

    def command(self):
        s = self.s
        self.i += 1  # the backslash
        match = re.match(r"[A-Za-z]+|.", s[self.i:], re.S)
        if not match:
            return ""
        name = match.group()
        self.i += len(name)
        if name in ("frac", "dfrac", "tfrac"):
            top, bottom = self.group(), self.group()
            return f"{_atom(top)}/{_atom(bottom)}"
        if name == "sqrt":
            return f"√({self.group()})"
        if name == "mathbb":
            inner = self.group()
            return "".join(DOUBLE_STRUCK.get(c, c) for c in inner)
        if name in KEEP_ARGUMENT:
            return self.group()
        if name in ACCENTS:
            inner = self.group()
            return inner + ACCENTS[name] if len(inner) == 1 else inner
        if name in DROP_WITH_ARGUMENT:
            self.raw_group()
            if name == "begin" and self.s[self.i:self.i + 1] == "{":  # array column spec
                self.raw_group()
            return " "
        if name in DROP:
            return ""
        if name in SYMBOLS:
            return SYMBOLS[name]
        if name in FUNCTIONS:  # \tanh(x) reads tanh(x), \log\sigma(x) reads log σ(x)
            return name + (" " if s[self.i:self.i + 1] == "\\" else "")
        return name  # an unknown command: its name, without the backslash

    def script(self, table, mark):
        inner = self.group().strip()
        if inner and all(c in table for c in inner):
            return "".join(table[c] for c in inner)
        return mark + (inner if len(inner) == 1 or inner.isalnum() else f"({inner})")

    def text(self):
        out = []
        s = self.s
        while self.i < len(s):
            c = s[self.i]
            if c == "\\":
                out.append(self.command())
            elif c == "{":
                out.append(self.group())
            elif c == "}":
                self.i += 1
            elif c == "_":
                self.i += 1
                out.append(self.script(SUB, "_"))
            elif c == "^":
                self.i += 1
                out.append(self.script(SUP, "^"))
            elif c == "&":
                self.i += 1
                out.append(" ")
            elif c == "~":
                self.i += 1
                out.append(" ")
            else:
                self.i += 1
                out.append(c)
        return "".join(out)


def tex_to_text(source):
    r"""Plain text for TeX math, for search snippets.

    >>> tex_to_text(r"f_t = \sigma(W_f [h_{t-1}, x_t] + b_f)")
    'fₜ = σ(W_f [hₜ₋₁, xₜ] + b_f)'
    >>> tex_to_text(r"\tilde{C}_t = \tanh(x)\odot \frac{\partial L}{\partial C_{t}}")
    'C̃ₜ = tanh(x)⊙ (∂ L)/(∂ Cₜ)'
    >>> tex_to_text(r"\begin{aligned} a &= b^{\top} \\ c &\le \mathbb{R}^{H} \end{aligned}")
    'a = bᵀ ; c ≤ ℝᴴ'
    """
    return re.sub(r"\s+", " ", _TeX(source).text()).strip()


class _PageText:
    """The plain text of a resolved doctree, and the [start, end) span of every element id."""

    SKIP = (nodes.raw, nodes.comment, nodes.system_message, nodes.substitution_definition, nodes.image,
            nodes.pending, nodes.Invisible)

    def __init__(self, doctree):
        self.parts, self.length, self.spans = [], 0, {}
        self.page_title_parents = [doctree] + [n for n in doctree.children if isinstance(n, nodes.section)][:1]
        self.walk(doctree)

    def add(self, text):
        text = re.sub(r"\s+", " ", text)
        if text.startswith(" ") and (not self.parts or self.parts[-1].endswith(" ")):
            text = text[1:]
        if text:
            self.parts.append(text)
            self.length += len(text)

    def walk(self, node):
        if isinstance(node, nodes.Text):
            self.add(str(node))
            return
        if isinstance(node, self.SKIP) or "toctree-wrapper" in node.get("classes", []):
            return
        if isinstance(node, nodes.math):
            self.add(tex_to_text(node.astext()))
            return
        if isinstance(node, nodes.math_block):
            self.add(f" {tex_to_text(node.astext())} ")
            return
        if isinstance(node, nodes.title) and any(node.parent is p for p in self.page_title_parents):
            return  # the page's title: the search result's link already shows it
        start = self.length
        block = not isinstance(node, nodes.Inline)
        if block:
            self.add(" ")
        for child in node.children:
            self.walk(child)
        if block:
            self.add(" ")
        for node_id in node.get("ids", []):
            if self.length > start:
                self.spans.setdefault(node_id, [start, self.length])

    def data(self):
        """{"text": the plain text, "ids": {id: [start, end]}} (offsets into the text)."""
        return {"text": "".join(self.parts).strip(), "ids": self.spans}


def page_text(doctree):
    """{"text": plain text of the page, "ids": {id: [start, end]}}: what search snippets are cut
    from (the text of an element id, or the whole page)."""
    return _PageText(doctree).data()


def write_page_text(app, doctree, docname):
    if app.builder.format != "html" or not getattr(app.builder, "search", False):
        return
    path = os.path.join(app.outdir, TEXT_DIR, docname + ".json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(page_text(doctree), f, ensure_ascii=False, separators=(",", ":"))


# --- set-up ---------------------------------------------------------------------------------------


def configure_search(app, config):
    """Install the scorer as html_search_scorer (resolved against the book's folder, where Sphinx
    would resolve it against the working directory), and keep it out of html_js_files, where
    Jupyter Book puts every .js file found under _static."""
    scorer = config.html_search_scorer or SCORER
    if not os.path.isabs(scorer):
        scorer = os.path.join(app.confdir or app.srcdir, scorer)
    if os.path.exists(scorer):
        config.html_search_scorer = scorer
    name = os.path.basename(scorer)
    config.html_js_files = [js for js in config.html_js_files
                            if os.path.basename(js[0] if isinstance(js, tuple | list) else js) != name]


def setup(app):
    register_bibliography_style()
    app.connect("config-inited", configure_search)
    app.connect("doctree-resolved", write_page_text)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
