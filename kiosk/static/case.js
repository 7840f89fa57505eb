/* The case-progress page: a plain form; the script only switches the language. */
(function () {
  "use strict";
  document.getElementById("lang-switch").addEventListener("click", () => {
    QHall.setLanguage(document.documentElement.dataset.lang === "en" ? "zh" : "en");
  });
})();
