// On a first visit sphinx-book-theme leaves the colour mode empty and pydata-sphinx-theme then logs
// "Got invalid theme mode" as an error; start in "auto" (follow the system setting) instead.
if (!document.documentElement.dataset.mode) {
  document.documentElement.dataset.mode = "auto";
}
