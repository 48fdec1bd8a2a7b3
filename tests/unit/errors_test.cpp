// Errors carry a kind that decides the exit code, and every owner of a C handle is move-only.

#include "util/error.hpp"
#include "xml/reader.hpp"
#include "xml/source.hpp"
#include "xml/writer.hpp"
#include "zip/handles.hpp"
#include "zip/reader.hpp"
#include "zip/writer.hpp"

#include <gtest/gtest.h>

#include <type_traits>

using namespace escprov;

// Copying an owner would release its handle twice (zip_discard, zip_fclose, close(2), delete).
static_assert(!std::is_copy_constructible_v<zip::Reader> && !std::is_copy_assignable_v<zip::Reader>);
static_assert(std::is_nothrow_move_constructible_v<zip::Reader>);
static_assert(!std::is_copy_constructible_v<zip::Writer> && !std::is_copy_assignable_v<zip::Writer>);
static_assert(!std::is_copy_constructible_v<zip::ArchiveHandle>);
static_assert(!std::is_copy_constructible_v<zip::EntryHandle>);
static_assert(!std::is_copy_constructible_v<zip::SourceHandle>);
static_assert(!std::is_copy_constructible_v<xml::Parser> && !std::is_copy_assignable_v<xml::Parser>);
static_assert(!std::is_copy_constructible_v<xml::FileSource> && !std::is_copy_assignable_v<xml::FileSource>);
static_assert(!std::is_copy_constructible_v<xml::FileSink> && !std::is_copy_assignable_v<xml::FileSink>);

TEST(ErrorKinds, DecideTheExitCode)
{
    // The command line or the input is the problem: 2.
    for (ErrorKind kind :
         {ErrorKind::usage, ErrorKind::input, ErrorKind::foreign, ErrorKind::unsafe, ErrorKind::limit}) {
        EXPECT_EQ(exit_code_for(kind), ExitCode::usage) << static_cast<int>(kind);
    }
    // The command ran and failed while working: 1. Out of memory is no usage error.
    for (ErrorKind kind : {ErrorKind::output, ErrorKind::memory, ErrorKind::remote, ErrorKind::internal}) {
        EXPECT_EQ(exit_code_for(kind), ExitCode::findings) << static_cast<int>(kind);
    }
}

TEST(ErrorKinds, ADoctypeIsUnsafeAndMalformedXmlIsInput)
{
    auto kind_of = [](const std::string& text) {
        xml::MemorySource source(text, "x.xml");
        xml::Parser parser;
        struct : xml::Handler {
            void start_element(std::string_view, const xml::Attributes&, bool) override {}
            void end_element(std::string_view) override {}
            void characters(std::string_view, bool) override {}
        } handler;
        try {
            parser.parse(source, handler);
        } catch (const xml::ParseError& e) {
            return e.kind();
        }
        ADD_FAILURE() << "parsed: " << text;
        return ErrorKind::internal;
    };
    EXPECT_EQ(kind_of("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>"), ErrorKind::unsafe);
    EXPECT_EQ(kind_of("<a><b></a>"), ErrorKind::input);
}
