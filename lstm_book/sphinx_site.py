"""Sphinx extension for the book's web pages: what each page loads, what the site ships, which buttons.

Registered in `_config.yml` (`sphinx.extra_extensions: [lstm_book.sphinx_site]`). Jupyter Book 1 puts
the same scripts on every page and its extensions copy whole libraries into the site; this module
trims both, so that a page downloads what it uses (measure with `tools/page_weight.py`):

- **Per page** (`html-page-context`): the book's widget renderer (`_static/widgets-static.js`, 9 KB,
  in place of the ipywidgets HTML manager, 1.57 MB for the nine models the book saves) only on pages
  with saved widget state; sphinx-design's style sheet and script only on
  pages that use it; sphinx-thebe's scripts (which also declare `THEBE_JS_URL` twice, a console
  error on every page) only when thebe is on; Sphinx's search index and search scripts only on the
  search page unless the theme's search-as-you-type is on (it is off); no duplicate inline scripts;
  no Font Awesome script (1.5 MB): the theme's style sheet and icon font draw the icons without it.
- **The site** (`build-finished`, so `make book` and the strict build of `make test` both get it):
  MathJax as separate components (startup, TeX input, CHTML output, assistive MathML, about 0.8 MB a
  page instead of 1.2 MB: no context menu) and, on disk, only those components, the TeX extensions
  MathJax's autoload may fetch and the woff2 fonts (24 MB -> 1.4 MB); no source maps; no widget
  manager (a `_static/widgets/` left in a working tree by an older `make book` is not shipped);
  of Font Awesome, the glyph rules of the icons the pages use and one icon font
  cut to those glyphs and the theme's admonition icons (3 KB instead of 0.16 MB), no script.
- **Buttons from one setting** (`config-inited`): `repository.url` in `_config.yml`. Empty: no
  repository, issues, edit, source or launch (Binder, Colab, JupyterHub) buttons and no thebe. Set:
  the repository and issues buttons and the launch buttons configured under `launch_buttons`.
"""
import json
import pathlib
import re
import shutil

from markupsafe import Markup
from sphinx.util import logging

logger = logging.getLogger(__name__)

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_RENDERER = "widgets-static.js"  # _static/widgets-static.js: draws the saved widgets
# Left in a working tree by an older `make book` (the ipywidgets HTML manager and its MathJax shim):
# never loaded, never shipped.
OLD_WIDGET_SCRIPTS = ("widgets/embed.js", "widgets-mathjax-shim.js")
TEMPLATES = pathlib.Path(__file__).with_name("_templates")
LAUNCH_URLS = ("binderhub_url", "jupyterhub_url", "colab_url", "jupyterlite_url", "deepnote_url")
REPOSITORY_BUTTONS = ("use_repository_button", "use_issues_button")
OTHER_REPOSITORY_BUTTONS = ("use_edit_page_button", "use_source_button")

# MathJax 3 loaded as components: `startup.js` (the loader) fetches these and core.js.
MATHJAX_PATH = "mathjax/startup.js"
MATHJAX_LOAD = ["input/tex", "output/chtml", "a11y/assistive-mml"]
# What the site keeps of sphinx-mathjax-offline's copy of MathJax (paths under _static/mathjax/):
# the components above, the TeX extensions that `input/tex`'s autoload package may fetch for a macro
# it does not know (\boldsymbol, \cancel, ...), and the CHTML fonts (MathJax 3 ships only woff2).
MATHJAX_KEEP = [
    re.compile(p)
    for p in (
        r"startup\.js",
        r"core\.js",
        r"input/tex\.js",
        r"input/tex/extensions/(?!all-packages\.js)[a-z0-9-]+\.js",
        r"output/chtml\.js",
        r"output/chtml/fonts/tex\.js",
        r"output/chtml/fonts/woff-v2/[A-Za-z0-9_-]+\.woff",
        r"a11y/assistive-mml\.js",
    )
]


# --- buttons --------------------------------------------------------------------------------------
def repository_buttons(theme_options):
    """Return the theme options with the repository-linked buttons following `repository_url`.

    >>> opts = {"repository_url": "", "launch_buttons": {"binderhub_url": "https://mybinder.org"}}
    >>> off = repository_buttons(opts)
    >>> off["use_repository_button"], off["launch_buttons"]["binderhub_url"]
    (False, '')
    >>> on = repository_buttons(dict(opts, repository_url="https://github.com/o/r"))
    >>> on["use_repository_button"], on["use_issues_button"], on["launch_buttons"]["binderhub_url"]
    (True, True, 'https://mybinder.org')
    """
    options = dict(theme_options)
    launch = dict(options.get("launch_buttons") or {})
    url = (options.get("repository_url") or "").strip()
    options["repository_url"] = url
    for button in REPOSITORY_BUTTONS:
        options[button] = bool(url)
    if not url:
        for button in OTHER_REPOSITORY_BUTTONS:
            options[button] = False
        for key in LAUNCH_URLS:
            launch[key] = ""
        launch["thebe"] = False
    options["launch_buttons"] = launch
    return options


def thebe_on(app):
    return bool((app.config.html_theme_options.get("launch_buttons") or {}).get("thebe"))


def configure(app, config):
    config.html_theme_options = repository_buttons(config.html_theme_options or {})
    if str(TEMPLATES) not in config.templates_path:
        config.templates_path = [*config.templates_path, str(TEMPLATES)]


def configure_mathjax(app):
    """MathJax from separate components (after myst-parser set its options at builder-inited)."""
    if "mathjax" not in app.config.mathjax_path:
        return
    settings = dict(app.config.mathjax3_config or {})
    settings["loader"] = {**settings.get("loader", {}), "load": MATHJAX_LOAD}
    app.config.mathjax3_config = settings
    app.config.mathjax_path = MATHJAX_PATH


def drop_thebe_nodes(app, doctree, docname):
    """sphinx-thebe appends its kernel settings (a script block) to every page, thebe or not."""
    if thebe_on(app):
        return
    for node in list(doctree.children):
        if node.tagname == "raw" and ("text/x-thebe-config" in node.astext() or "kernelName =" in node.astext()):
            doctree.remove(node)


# --- what a page loads ----------------------------------------------------------------------------
def _name(asset):
    return str(getattr(asset, "filename", asset) or "")


def _body(asset):
    return (getattr(asset, "attributes", None) or {}).get("body", "") or ""


def page_assets(scripts, styles, *, body, thebe):
    """Return (scripts, styles) a page needs: see the module docstring."""
    has_widgets = any((getattr(s, "attributes", None) or {}).get("type") == WIDGET_STATE for s in scripts)
    uses_design = re.search(r"class=\"[^\"]*\bsd-", body) is not None
    keep_scripts, seen = [], set()
    for script in scripts:
        name, text = _name(script), _body(script)
        key = (name, text, json.dumps(getattr(script, "attributes", None) or {}, sort_keys=True))
        if key in seen:
            continue
        seen.add(key)
        if name.endswith(OLD_WIDGET_SCRIPTS) or (not has_widgets and name.endswith(WIDGET_RENDERER)):
            continue
        if not uses_design and name.endswith("design-tabs.js"):
            continue
        if not thebe and ("THEBE_JS_URL" in text or name.endswith("sphinx-thebe.js")):
            continue
        keep_scripts.append(script)
    keep_styles = []
    for style in styles:
        name = _name(style)
        if (not uses_design and "sphinx-design" in name) or (not thebe and name.endswith("sphinx-thebe.css")):
            continue
        keep_styles.append(style)
    return keep_scripts, keep_styles


def trim_head(html, *, search_scripts):
    """Drop the theme's Font Awesome script (and the search scripts unless wanted) from a head block."""
    html = re.sub(r"\s*<script[^>]*src=\"[^\"]*scripts/fontawesome\.js[^\"]*\"[^>]*></script>", "", str(html))
    if not search_scripts:
        html = re.sub(r"\s*<script src=\"[^\"]*(?:searchtools\.js|language_data\.js|searchindex\.js)\"></script>",
                      "", html)
    return Markup(html)


def page_context(app, pagename, templatename, context, doctree):
    if app.builder.format != "html":
        return
    search_page = pagename == "search"
    scripts, styles = page_assets(context.get("script_files", []), context.get("css_files", []),
                                  body=context.get("body", ""), thebe=thebe_on(app))
    context["script_files"], context["css_files"] = scripts, styles
    as_you_type = bool(app.config.html_theme_options.get("search_as_you_type"))
    context["site_trim_head"] = lambda html: trim_head(html, search_scripts=search_page or as_you_type)


# --- what the site ships --------------------------------------------------------------------------
def trim_mathjax(static):
    root = static / "mathjax"
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*"), reverse=True):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not any(p.fullmatch(rel) for p in MATHJAX_KEEP):
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def drop_source_maps(outdir):
    """Delete *.map and the comments pointing to them (bootstrap.js.map -> bootstrap.js)."""
    for map_file in outdir.rglob("*.map"):
        asset = map_file.with_suffix("")
        if asset.suffix in (".js", ".css") and asset.exists():
            text = asset.read_text(encoding="utf-8")
            stripped = re.sub(r"\n?(?://# sourceMappingURL=\S+\.map|/\*# sourceMappingURL=\S+\.map \*/)\s*$",
                              "\n", text)
            if stripped != text:
                asset.write_text(stripped, encoding="utf-8")
        map_file.unlink()


def drop_old_widget_manager(static):
    """`_static/widgets/` (embed.js of @jupyter-widgets/html-manager and its fonts), fetched by an older
    `make book` into the working tree, is copied with `_static`; no page loads it."""
    shutil.rmtree(static / "widgets", ignore_errors=True)
    (static / "widgets-mathjax-shim.js").unlink(missing_ok=True)


PACKS = {"fas": "solid", "fa-solid": "solid", "far": "regular", "fa-regular": "regular",
         "fab": "brands", "fa-brands": "brands"}
FONTS = {"solid": "fa-solid-900", "regular": "fa-regular-400", "brands": "fa-brands-400"}
GLYPH_RULE = re.compile(r'(?<=\})((?:\.fa-[a-z0-9-]+:before,)*\.fa-[a-z0-9-]+:before)\{content:"([^"]*)"\}')


def icons_used(outdir):
    """{(style, name)} of the Font Awesome icons in the site's HTML and in the theme's own script."""
    used = set()
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in outdir.rglob("*.html")]
    theme_js = outdir / "_static" / "scripts" / "pydata-sphinx-theme.js"
    if theme_js.exists():
        texts.append(theme_js.read_text(encoding="utf-8"))
    for text in texts:
        for classes in re.findall(r'class(?:List|Name)?\s*=\s*"([^"]*\bfa-[^"]*)"', text):
            tokens = classes.split()
            style = next((PACKS[t] for t in tokens if t in PACKS), "solid")
            used.update((style, t[3:]) for t in tokens if t.startswith("fa-") and t not in PACKS)
    return used


def _codepoints(content):
    """The characters of a CSS content string ("\\f0c9" or the character itself)."""
    text = re.sub(r"\\([0-9a-fA-F]{1,6})\s?", lambda m: chr(int(m.group(1), 16)), content)
    return {ord(c) for c in text}


def subset_font(source, target, codepoints):
    """Write the glyphs `codepoints` of the TrueType font `source` as a WOFF font (zlib: fontTools
    writes woff2 only with brotli installed). Return False if fontTools is missing."""
    try:
        from fontTools import subset
        from fontTools.ttLib import TTFont
    except ImportError:
        return False
    font = TTFont(str(source))
    options = subset.Options()
    options.layout_features, options.name_IDs, options.notdef_outline = [], [], True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(font)
    font.flavor = "woff"
    font.save(str(target))
    return True


def trim_font_awesome(static, outdir):
    """The theme ships Font Awesome twice: fontawesome.js (1.5 MB, turns <i class="fa-..."> into SVG) and
    a style sheet with 1,900 glyph rules and three icon fonts (also used for admonition icons). Keep the
    style sheet's rules for the icons the pages use, the fonts cut to those glyphs plus the theme's own
    (--pst-icon-*), and drop the script."""
    theme_css = static / "styles" / "pydata-sphinx-theme.css"
    fonts = static / "vendor" / "fontawesome" / "webfonts"
    if not theme_css.exists() or not fonts.is_dir():
        return
    used = icons_used(outdir)
    used_names = {name for _, name in used}
    css = theme_css.read_text(encoding="utf-8")
    glyphs = {}  # name -> codepoints

    def keep_used(m):
        names = [sel[4:-7] for sel in m.group(1).split(",")]  # ".fa-bars:before" -> "bars"
        for name in names:
            glyphs[name] = _codepoints(m.group(2))
        kept = [f".fa-{n}:before" for n in names if n in used_names]
        return f"{','.join(kept)}{{content:\"{m.group(2)}\"}}" if kept else ""

    css = GLYPH_RULE.sub(keep_used, css)
    needed = {style: set() for style in FONTS}
    needed["solid"] |= {c for v in re.findall(r'--pst-icon-[a-z-]+:"([^"]*)"', css) for c in _codepoints(v)}
    for style, name in used:
        needed[style] |= glyphs.get(name, set())
    for style, font in FONTS.items():
        ttf = fonts / f"{font}.ttf"
        if needed[style] and ttf.exists() and subset_font(ttf, fonts / f"{font}.woff", needed[style]):
            css = re.sub(rf'src:url\(\.\./vendor/fontawesome/webfonts/{font}\.woff2\)[^;}}]*',
                         f'src:url(../vendor/fontawesome/webfonts/{font}.woff) format("woff")', css)
            (fonts / f"{font}.woff2").unlink(missing_ok=True)
            ttf.unlink()
        elif not needed[style]:
            for f in fonts.glob(f"{font}.*"):
                f.unlink()
    theme_css.write_text(css, encoding="utf-8")
    (static / "scripts" / "fontawesome.js").unlink(missing_ok=True)


def trim_site(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    outdir = pathlib.Path(app.outdir)
    static = outdir / "_static"
    trim_mathjax(static)
    drop_source_maps(outdir)
    drop_old_widget_manager(static)
    trim_font_awesome(static, outdir)


def setup(app):
    app.connect("config-inited", configure, priority=100)
    app.connect("builder-inited", configure_mathjax, priority=900)
    app.connect("doctree-resolved", drop_thebe_nodes, priority=900)
    app.connect("html-page-context", page_context, priority=900)
    app.connect("build-finished", trim_site, priority=900)  # after sphinx-mathjax-offline's copy
    return {"parallel_read_safe": True, "parallel_write_safe": True}
