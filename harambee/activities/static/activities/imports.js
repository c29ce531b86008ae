/* Import review: choosing an organisation in the list means "pick another". Works without it. */
(function () {
  "use strict";
  // Delegated, so it also works on review items htmx swaps in after a search.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches(".decision-form select[name=organisation]")) return;
    if (!select.value) return;
    var pick = select.form.querySelector("input[name=action][value=pick]");
    if (pick) pick.checked = true;
  });
})();
