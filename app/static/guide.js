// "Zo lees je deze grafiek" (app/templates/indicators/_chart_guide.html): open the first
// time a reader sees it, then folded, unless they opened it again last time. Runs right
// after the element (not deferred), so the guide never flashes open and shut.
(function () {
  const guide = document.getElementById("chart-guide");
  if (!guide) return;
  const key = "duiding.chartGuide";
  let state = null;
  try {
    state = window.localStorage.getItem(key);
    // Seen once: from now on folded, until the reader opens it.
    if (state === null) window.localStorage.setItem(key, "closed");
  } catch (error) {
    return; // no storage (private mode): it simply stays open
  }
  if (state === "closed") guide.open = false;
  guide.addEventListener("toggle", () => {
    try {
      window.localStorage.setItem(key, guide.open ? "open" : "closed");
    } catch (error) {
      /* nothing to remember it in */
    }
  });
})();
