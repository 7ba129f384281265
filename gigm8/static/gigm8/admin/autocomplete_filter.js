// A static file, not an inline script: the admin's Content-Security-Policy runs no inline script.
// select2 fires jQuery events, not native ones; submit the filter when a value is picked.
window.addEventListener("load", function () {
  if (!window.django || !django.jQuery) return;
  django.jQuery("form.gigm8-autocomplete-filter select").on("change", function () { this.form.submit(); });
});
