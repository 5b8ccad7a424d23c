#pragma once

#include <string>
#include <string_view>

namespace clinic::service {

// CommonMark rendered to HTML that is safe to put into a page: raw HTML in the source is dropped
// (cmark leaves a comment in its place) and links or images with javascript:, vbscript:, file:
// or data: URLs (other than images in common formats) lose their URL. cmark's default, safe mode.
std::string RenderMarkdownSafely(std::string_view markdown);

}  // namespace clinic::service
