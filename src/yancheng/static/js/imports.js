/* An import running in the background: poll its progress fragment every second and
   replace the bar; when the job has finished, open the job's page, which then shows the
   report, the result sheet and (after a dry run that passed) the confirm button.
   Without JavaScript the fragment's "刷新查看进度" link does the same by hand. */
(function () {
  "use strict";
  var box = document.querySelector("[data-import-job][data-running]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-progress-url");
  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var fresh = holder.querySelector("[data-import-job]");
      if (!fresh) { throw new Error("no fragment"); }
      if (!fresh.hasAttribute("data-running")) {
        window.location.href = fresh.getAttribute("data-job-url");
        return;
      }
      box.parentNode.replaceChild(fresh, box);
      box = fresh;
      window.setTimeout(poll, 1000);
    }).catch(function () {
      window.setTimeout(poll, 5000);
    });
  }
  window.setTimeout(poll, 1000);
}());
