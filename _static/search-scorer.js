/*
 * The book's search: Sphinx's html_search_scorer (lstm_book/sphinx_search.py installs it; Sphinx
 * inlines it into language_data.js, which every page loads after searchtools.js).
 *
 * - Scorer: Sphinx's default weights.
 * - Ranking: a page whose title is the query comes first; pages whose own title holds more of the
 *   query words come before pages that only have them in a section title. Each page is listed
 *   once (Sphinx listed a chapter once for its title and once for its words).
 * - Snippets: read from _search/<page>.json (the page's plain text, written at build time), not
 *   from the page itself: a chapter page is up to 1 MB of saved widget frames, and its text holds
 *   the TeX source of its math.
 */
var Scorer = {
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: { 0: 15, 1: 5, 2: -5 },
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,
  // added by this file
  pageTitle: 1000, // the query is the page's title
  pageTitleWords: 10, // times the share of the query words found in the page's title
};

if (typeof Search !== "undefined" && !Search.lstmBook) {
  (() => {
    Search.lstmBook = true;
    const TEXT_DIR = "_search/";

    const plainTitle = (html) =>
      html
        .replace(/<span class="section-number">[^<]*<\/span>/g, "")
        .replace(/<[^>]+>/g, "")
        .replace(/&amp;/g, "&")
        .trim();
    const words = (text) =>
      splitQuery(text.toLowerCase()).filter(
        (w) => stopwords.indexOf(w) === -1 && !/^\d+$/.test(w)
      );
    const stems = (text) => {
      const stemmer = new Stemmer();
      return new Set(words(text).map((w) => stemmer.stemWord(w)));
    };

    // Rescore Sphinx's results, keep one per page, order as Sphinx does (ascending: it pops).
    const rank = (query, results) => {
      const index = Search._index;
      const queryWords = words(query).join(" ");
      const queryStems = stems(query);
      const best = new Map();
      for (const result of results) {
        const file = index.docnames.indexOf(result[0]);
        if (file >= 0) {
          const pageTitle = plainTitle(index.titles[file]);
          const titleStems = stems(pageTitle);
          const shared = [...queryStems].filter((s) => titleStems.has(s)).length;
          let score = result[4];
          if (queryStems.size) score += Math.round((Scorer.pageTitleWords * shared) / queryStems.size);
          if (queryWords && words(pageTitle).join(" ") === queryWords) {
            score += Scorer.pageTitle;
            result[1] = index.titles[file]; // the page itself, not one of its sections
            result[2] = "";
          }
          result[4] = score;
        }
        const kept = best.get(result[0]);
        if (
          !kept ||
          result[4] > kept[4] ||
          (result[4] === kept[4] && result[2] === "" && kept[2] !== "")
        )
          best.set(result[0], result);
      }
      return [...best.values()].sort((a, b) =>
        a[4] !== b[4]
          ? a[4] - b[4]
          : b[1].toLowerCase().localeCompare(a[1].toLowerCase())
      );
    };

    const performSearch = Search._performSearch;
    Search._performSearch = (query, searchTerms, excludedTerms, highlightTerms, objectTerms) =>
      rank(query, performSearch(query, searchTerms, excludedTerms, highlightTerms, objectTerms));

    // Snippet text from the page's JSON file: the text of the anchored element, else the page.
    const htmlToText = Search.htmlToText;
    Search.htmlToText = (data, anchor) => {
      if (!data.startsWith("{")) return htmlToText(data, anchor);
      const page = JSON.parse(data);
      const span = anchor && page.ids[anchor.replace(/^#/, "")];
      return span ? page.text.slice(span[0], span[1]) : page.text;
    };

    const display = (item, searchTerms, highlightTerms) => {
      const [docName, title, anchor, descr] = item;
      const contentRoot = document.documentElement.dataset.content_root;
      const listItem = document.createElement("li");
      const link = listItem.appendChild(document.createElement("a"));
      let linkUrl = docName + DOCUMENTATION_OPTIONS.LINK_SUFFIX;
      if (DOCUMENTATION_OPTIONS.BUILDER === "dirhtml") {
        // as searchtools.js: page/index -> page/, index -> the root
        let dirname = docName + "/";
        if (dirname.match(/\/index\/$/)) dirname = dirname.substring(0, dirname.length - 6);
        else if (dirname === "index/") dirname = "";
        linkUrl = contentRoot + dirname;
      }
      link.href = linkUrl + anchor;
      link.dataset.score = item[4];
      link.innerHTML = title;
      const highlight = () => {
        if (typeof SPHINX_HIGHLIGHT_ENABLED !== "undefined" && SPHINX_HIGHLIGHT_ENABLED)
          highlightTerms.forEach((term) => _highlightText(listItem, term, "highlighted"));
      };
      if (descr) {
        listItem.appendChild(document.createElement("span")).innerHTML = " (" + descr + ")";
        highlight();
      } else if (DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY) {
        fetch(contentRoot + TEXT_DIR + docName + ".json")
          .then((response) => (response.ok ? response.text() : ""))
          .then((data) => {
            const summary = data && Search.makeSearchSummary(data, searchTerms, anchor);
            if (summary) listItem.appendChild(summary);
            highlight();
          });
      }
      Search.output.appendChild(listItem);
    };

    Search.query = (query) => {
      const [searchQuery, searchTerms, excludedTerms, highlightTerms, objectTerms] =
        Search._parseQuery(query);
      const results = Search._performSearch(
        searchQuery, searchTerms, excludedTerms, highlightTerms, objectTerms
      );
      for (let i = results.length - 1; i >= 0; i--)
        display(results[i], searchTerms, highlightTerms);
      _finishSearch(results.length);
    };
  })();
}
