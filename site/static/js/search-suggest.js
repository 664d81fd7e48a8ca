// Autocomplete for the search box: page titles of this town as you type, in a <datalist>.
// Without JavaScript the box is a plain search form.
(function () {
  "use strict";
  var inputs = document.querySelectorAll("input[data-suggest-url]");
  Array.prototype.forEach.call(inputs, function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    var last = "";
    if (!list) { return; }
    input.addEventListener("input", function () {
      var value = input.value.trim();
      window.clearTimeout(timer);
      if (value === last || value.length === 0) { return; }
      timer = window.setTimeout(function () {
        last = value;
        fetch(input.getAttribute("data-suggest-url") + "?q=" + encodeURIComponent(value), {
          headers: { "Accept": "application/json" }, credentials: "omit"
        }).then(function (response) {
          return response.ok ? response.json() : { results: [] };
        }).then(function (data) {
          while (list.firstChild) { list.removeChild(list.firstChild); }
          data.results.forEach(function (item) {
            var option = document.createElement("option");
            option.value = item.title;
            list.appendChild(option);
          });
        }).catch(function () { /* offline: the form still works */ });
      }, 200);
    });
  });
})();
