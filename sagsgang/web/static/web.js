// Ny sag: show the timetable while the form is filled in. Without JavaScript the
// "Opdatér tidsplan" button does the same with a full page load.
(function () {
  // Abonnér: a button copies a calendar's address (shown only where the browser can copy).
  if (navigator.clipboard) document.querySelectorAll("button[data-kopier]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var field = document.getElementById(button.dataset.kopier);
      navigator.clipboard.writeText(field.value).then(function () { button.textContent = "Kopieret"; });
    });
  });
  // Møder: another municipality has other bodies; show its meetings at once.
  document.querySelectorAll("form.filtre select[name=kommune]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form.organ) select.form.organ.value = "";
      select.form.submit();
    });
  });
  var form = document.querySelector("form[data-preview]");
  if (!form) return;
  var timer = null, asked = 0;
  function update() {
    var data = new FormData(form), mine = ++asked;
    fetch(form.dataset.preview, {method: "POST", body: data, credentials: "same-origin",
                                 headers: {"X-CSRF-Token": data.get("csrf_token")}})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null || mine !== asked) return;
        var target = document.getElementById("forhaandsvisning");
        target.outerHTML = html;
      })
      .catch(function () {});
  }
  function later() { clearTimeout(timer); timer = setTimeout(update, 300); }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  // Routes and bodies belong to the municipality: choosing another one reloads the form for it.
  var municipality = form.querySelector("select[name=kommune]");
  if (municipality) municipality.addEventListener("change", function () {
    window.location = "/sager/ny?kommune=" + encodeURIComponent(municipality.value);
  });
})();
