#include "clinic/service/markdown.hpp"

#include <cmark.h>

#include <cstdlib>
#include <memory>

namespace clinic::service {

std::string RenderMarkdownSafely(std::string_view markdown) {
  // Without CMARK_OPT_UNSAFE, cmark omits raw HTML and neutralises dangerous URLs.
  const std::unique_ptr<char, decltype(&std::free)> html(
      cmark_markdown_to_html(markdown.data(), markdown.size(), CMARK_OPT_DEFAULT), &std::free);
  return html ? std::string(html.get()) : std::string();
}

}  // namespace clinic::service
