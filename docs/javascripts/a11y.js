// Accessible names, roles and keyboard access for elements that Material for MkDocs' own script
// adds without them (found by axe-core, which tests/site/test_pages.py runs on every page):
// - the search dialog gets a name (aria-dialog-name);
// - the bar above each code block holds only its copy button, so it is not a navigation
//   landmark (dozens of unnamed <nav> landmarks per page: landmark-unique);
// - a table wider than the screen scrolls, so it takes keyboard focus while it does, for the
//   arrow keys to scroll it (scrollable-region-focusable).
(function () {
  function label(root) {
    root.querySelectorAll('.md-search[role="dialog"]:not([aria-label])').forEach(function (dialog) {
      dialog.setAttribute("aria-label", "Search");
    });
    root.querySelectorAll("nav.md-code__nav:not([role])").forEach(function (bar) {
      bar.setAttribute("role", "none");
    });
    root.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth) wrap.setAttribute("tabindex", "0");
      else wrap.removeAttribute("tabindex");
    });
  }
  var pending = false;
  function update() {  // at most once a frame, however many mutations arrive
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; label(document); });
  }
  label(document);
  new MutationObserver(update).observe(document.body, { childList: true, subtree: true });
  window.addEventListener("resize", update);
})();
