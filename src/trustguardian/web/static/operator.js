// The operator page's one script: choosing a touchpoint reloads the form for it. A static
// file, so the page's Content-Security-Policy (script-src 'self') allows it; without
// JavaScript the page shows a "Choose" button instead.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () {
      select.form.submit();
    });
  });
});
