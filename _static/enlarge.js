// Click to enlarge: every figure image opens at full resolution in the same tab.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("figure img, div.cell_output img").forEach((img) => {
    if (img.closest("a")) return;
    const link = document.createElement("a");
    link.href = img.src;
    link.className = "ba-enlarge";
    link.title = "Open the full-size image";
    img.parentNode.insertBefore(link, img);
    link.appendChild(img);
  });
});
