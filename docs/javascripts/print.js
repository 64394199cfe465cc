// Printing: collapsed blocks ("Think about it", answers, solutions) open on paper, and close again
// afterwards. extra.css's print rules hide the controls; this covers the browsers whose print
// styles cannot open a <details> element.
(function () {
  "use strict";
  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = Array.prototype.filter.call(document.querySelectorAll("details:not([open])"), function (d) {
      d.setAttribute("open", "");
      return true;
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.removeAttribute("open"); });
    opened = [];
  });
})();
