// Print buttons: any element with data-print prints the page. A file, not an inline script,
// because the Content-Security-Policy allows scripts from this site only.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
