// A printed case holds all of it: the lists folded on the screen are opened for the printer, folded again after.
(function () {
  "use strict";
  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (folded) {
      folded.open = true;
      opened.push(folded);
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (folded) { folded.open = false; });
    opened = [];
  });
})();
