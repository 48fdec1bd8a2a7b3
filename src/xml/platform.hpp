#pragma once
// Xerces-C++ must be initialised once before any parser exists and terminated after the last
// one is gone. main() and the test runner hold one XercesPlatform for the whole run.

namespace escprov::xml {

class XercesPlatform {
public:
    XercesPlatform(); // throws Error(internal) when Xerces cannot start
    ~XercesPlatform();
    XercesPlatform(const XercesPlatform&) = delete;
    XercesPlatform& operator=(const XercesPlatform&) = delete;
};

} // namespace escprov::xml
