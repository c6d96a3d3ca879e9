#pragma once
// links: the href="..." values of an HTML page, the way a crawler (not a
// browser) finds them: a scan for href attributes, no DOM. Quoted with " or
// ', or unquoted; the common character references (&amp; &quot; ...) decoded.
#include <string>
#include <string_view>
#include <vector>

namespace crawler {

/// Every href value in `html`, in document order (duplicates kept).
std::vector<std::string> extract_links(std::string_view html);

}  // namespace crawler
