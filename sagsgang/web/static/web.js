// The web app's small helpers, on every page (templates/web/base.j2). Ny sag: show the timetable
// while the form is filled in; without JavaScript the "Opdatér tidsplan" button does the same
// with a full page load.
(function () {
  // Forms that post (issue 14 item 7): once sent, a form is busy until the next page comes: its
  // buttons are disabled, the one pressed says what is happening ("Gemmer …"), the form is
  // aria-busy and a live region says it to screen readers; a second click sends nothing. Without
  // JavaScript the forms post as before.
  var busy = document.createElement("p");
  busy.className = "skjult-tekst";
  busy.setAttribute("role", "status");
  (document.getElementById("indhold") || document.body).appendChild(busy);
  function busyText(sent, button) {
    if (button && button.value === "forhaandsvis") return "Beregner tidsplanen …";
    if (sent.getAttribute("action") === "/login") return "Logger ind …";
    if (sent.getAttribute("action") === "/logout") return "Logger ud …";
    if (sent.getAttribute("action") === "/moeder/indlaes") return "Læser filen …";
    return "Gemmer …";
  }
  document.querySelectorAll("form[method=post]").forEach(function (sent) {
    sent.addEventListener("submit", function (event) {
      if (sent.dataset.optaget) { event.preventDefault(); return; }
      sent.dataset.optaget = "ja";
      var button = event.submitter, text = busyText(sent, button);
      sent.setAttribute("aria-busy", "true");
      busy.textContent = text;
      // After the submit event: a button disabled during it would not send its name and value.
      setTimeout(function () {
        sent.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
        if (button) button.textContent = text;
      }, 0);
    });
  });
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
