// 定型文: picking one fills the reply box at once, without reloading the page (which would lose
// what was already typed). Without this script the picker is a GET form that prefills the box.
(function () {
  "use strict";
  var picker = document.querySelector("[data-consult-canned]");
  var data = document.getElementById("consult-canned-bodies");
  var textarea = document.querySelector("[data-consult-reply]");
  if (!picker || !data || !textarea) {
    return;
  }
  var bodies = JSON.parse(data.textContent);
  var select = picker.querySelector("select");
  var button = picker.querySelector("button");
  if (button) {
    button.hidden = true;
  }
  picker.addEventListener("submit", function (event) {
    event.preventDefault();
  });
  select.addEventListener("change", function () {
    var body = bodies[select.value];
    if (!body) {
      return;
    }
    if (textarea.value.trim() && textarea.value !== body) {
      var replace = window.confirm(picker.getAttribute("data-confirm") || "");
      if (!replace) {
        return;
      }
    }
    textarea.value = body;
    textarea.focus();
  });
})();
