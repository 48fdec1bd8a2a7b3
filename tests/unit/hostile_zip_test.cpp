// Hostile zips, one test per case (issue 2, "Hostile input"). Each archive is forged at test
// time in the test's own folder. `info` must refuse it with exit code 2, a message naming the
// file and the cause, and nothing on stdout; `unpack` must refuse it too and leave nothing
// behind: no target folder, no temporary, no file outside the target.

#include "hostile_support.hpp"
#include "zip_forge.hpp"

#include <sys/stat.h>

using namespace escprov::test;

namespace {

ForgedEntry entry_named(std::string name, std::string bytes)
{
    ForgedEntry entry;
    entry.name = std::move(name);
    entry.content.push_back({std::move(bytes), 1});
    return entry;
}

} // namespace

TEST(HostileZip, ZipSlipEntryIsRefused)
{
    HostileSandbox sandbox;
    fs::path zip = sandbox.write("slip.zip", solution_zip().add("../evil", "escaped"));
    expect_info_refuses(zip, {"'../evil'", "escapes the target folder"});
    expect_unpack_refuses(sandbox, zip, {"'../evil'", "escapes the target folder"});
    EXPECT_FALSE(fs::exists(sandbox.root / "work" / "evil"));
}

TEST(HostileZip, ZipSlipHiddenInsideAFolderIsRefused)
{
    HostileSandbox sandbox;
    fs::path zip = sandbox.write("slip-deep.zip", solution_zip().add("WebResources/../../../evil", "escaped"));
    expect_info_refuses(zip, {"WebResources/../../../evil", "escapes the target folder"});
    expect_unpack_refuses(sandbox, zip, {"escapes the target folder"});
    EXPECT_FALSE(fs::exists(sandbox.root / "evil"));
}

TEST(HostileZip, AbsolutePathEntryIsRefused)
{
    HostileSandbox sandbox;
    fs::path outside = sandbox.root / "absolute-evil";
    fs::path zip = sandbox.write("absolute.zip", solution_zip().add(outside.string(), "escaped"));
    expect_info_refuses(zip, {outside.string(), "escapes the target folder"});
    expect_unpack_refuses(sandbox, zip, {"escapes the target folder"});
    EXPECT_FALSE(fs::exists(outside));
}

TEST(HostileZip, BackslashPathEntryIsRefused)
{
    // Windows tools read "..\evil" as a parent reference; a POSIX unpacker would write a file
    // with a backslash in its name. Either way it is not something CRM exports.
    HostileSandbox sandbox;
    fs::path zip = sandbox.write("backslash.zip", solution_zip().add("..\\evil", "escaped"));
    expect_info_refuses(zip, {"..\\evil", "escapes the target folder"});
    expect_unpack_refuses(sandbox, zip, {"escapes the target folder"});
}

TEST(HostileZip, DriveLetterEntryIsRefused)
{
    HostileSandbox sandbox;
    fs::path zip = sandbox.write("drive.zip", solution_zip().add("C:/Windows/evil", "escaped"));
    expect_info_refuses(zip, {"C:/Windows/evil", "escapes the target folder"});
    expect_unpack_refuses(sandbox, zip, {"escapes the target folder"});
}

TEST(HostileZip, SymlinkEntryIsRefused)
{
    HostileSandbox sandbox;
    ForgedEntry link = entry_named("WebResources/passwd", "/etc/passwd");
    link.unix_mode = S_IFLNK | 0777;
    fs::path zip = sandbox.write("symlink.zip", solution_zip().add(link));
    expect_info_refuses(zip, {"WebResources/passwd", "symbolic link"});
    expect_unpack_refuses(sandbox, zip, {"symbolic link"});
}

TEST(HostileZip, DuplicateEntryNamesAreRefused)
{
    // Two customizations.xml: one tool would read the first, another the last.
    HostileSandbox sandbox;
    ZipForge forge = solution_zip();
    forge.add("customizations.xml", "<ImportExportXml><Entities /></ImportExportXml>");
    fs::path zip = sandbox.write("duplicate.zip", forge);
    expect_info_refuses(zip, {"customizations.xml", "twice"});
    expect_unpack_refuses(sandbox, zip, {"twice"});
}

TEST(HostileZip, EncryptedEntryIsRefused)
{
    HostileSandbox sandbox;
    ForgedEntry secret = entry_named("WebResources/secret", std::string(12, '\x5a') + "ciphertext");
    secret.encrypted_flag = true;
    fs::path zip = sandbox.write("encrypted.zip", solution_zip().add(secret));
    expect_info_refuses(zip, {"WebResources/secret", "encrypted"});
    expect_unpack_refuses(sandbox, zip, {"encrypted"});
}

TEST(HostileZip, ZipBombOverTheRatioLimitIsRefusedAndTheLimitIsConfigurable)
{
    // 256 MiB of zeros deflate to about 250 KiB: a ratio near 1000, twice the default limit.
    HostileSandbox sandbox;
    ForgedEntry bomb;
    bomb.name = "WebResources/bomb";
    bomb.content.push_back({std::string(1 << 20, '\0'), 256});
    bomb.method = Method::deflated;
    fs::path zip = sandbox.write("ratio-bomb.zip", solution_zip().add(bomb));
    ASSERT_LT(fs::file_size(zip), 1u << 20);
    expect_info_refuses(zip, {"WebResources/bomb", "--max-ratio"});
    expect_unpack_refuses(sandbox, zip, {"--max-ratio"});

    // With the limit raised the archive opens; info never expands the part, so it succeeds.
    RunResult raised = run_escprov_limited({"info", "--max-ratio", "5000", zip.string()});
    EXPECT_EQ(raised.exit_code, 0) << raised.err;
    EXPECT_NE(raised.out.find("HostileTest"), std::string::npos) << raised.out;
}

TEST(HostileZip, ZipBombOverTheTotalSizeLimitIsRefusedAndTheLimitIsConfigurable)
{
    // An honest archive (stored, ratio 1) that is simply bigger than --max-total-size allows.
    HostileSandbox sandbox;
    ForgedEntry big;
    big.name = "WebResources/big";
    big.content.push_back({std::string(1 << 20, 'x'), 11});
    fs::path zip = sandbox.write("total-size.zip", solution_zip().add(big));
    expect_info_refuses(zip, {"--max-total-size"}, {"--max-total-size", "10M"});
    expect_unpack_refuses(sandbox, zip, {"--max-total-size"}, {"--max-total-size", "10M"});

    RunResult raised = run_escprov_limited({"info", "--max-total-size", "20M", zip.string()});
    EXPECT_EQ(raised.exit_code, 0) << raised.err;
    EXPECT_NE(raised.out.find("HostileTest"), std::string::npos) << raised.out;
}

TEST(HostileZip, ZipBombThatUnderstatesItsSizeIsStoppedWhileReading)
{
    // customizations.xml claims 4 KiB (under every limit at open) but inflates to 256 MiB of
    // whitespace: only the bytes actually read can tell, and reading must stop early.
    HostileSandbox sandbox;
    ForgedEntry liar;
    liar.name = "customizations.xml";
    liar.content.push_back({"<ImportExportXml>", 1});
    liar.content.push_back({std::string(1 << 20, ' '), 256});
    liar.content.push_back({"</ImportExportXml>", 1});
    liar.method = Method::deflated;
    liar.declared_size = 4096;
    ZipForge forge;
    forge.add("[Content_Types].xml", minimal_content_types_xml()).add(liar).add("solution.xml", minimal_solution_xml());
    fs::path zip = sandbox.write("liar.zip", forge);
    expect_info_refuses(zip, {"customizations.xml"});
    expect_unpack_refuses(sandbox, zip, {"customizations.xml"});
}

// Fuzzing found it: an entry read whole was sized by what its header claims. A part declaring
// 1 GiB over 2.2 MB of data (a ratio of about 490, under --max-ratio) took 1 GiB before "ends
// early"; a part declaring more than escprov ever reads whole is refused before it is read.
TEST(HostileZip, AnEntryThatOverstatesItsSizeCostsOnlyWhatArrives)
{
    HostileSandbox sandbox;
    std::string noise(2200 * 1024, ' ');
    uint32_t state = 12345;
    for (auto& c : noise) {
        state = state * 1103515245u + 12345u;
        c = static_cast<char>('a' + (state >> 16) % 26);
    }
    for (const std::string name : {"[Content_Types].xml", "solution.xml"}) {
        SCOPED_TRACE(name);
        ForgedEntry liar;
        liar.name = name;
        liar.content.push_back({noise, 1});
        liar.method = Method::deflated;
        liar.declared_size = 1ull << 30;
        ZipForge forge;
        forge.add("customizations.xml", minimal_customizations_xml());
        if (name == "solution.xml") {
            forge.add("[Content_Types].xml", minimal_content_types_xml()).add(liar);
        } else {
            forge.add(liar).add("solution.xml", minimal_solution_xml());
        }
        fs::path zip =
            sandbox.write(name == "solution.xml" ? "overstated-solution.zip" : "overstated-types.zip", forge);
        expect_info_refuses(zip, {name});
        expect_unpack_refuses(sandbox, zip, {name});
    }
}

TEST(HostileZip, TruncatedZipIsRefused)
{
    HostileSandbox sandbox;
    std::string whole = solution_zip().bytes();
    fs::path zip = sandbox.write_bytes("truncated.zip", whole.substr(0, whole.size() / 2));
    expect_info_refuses(zip, {"truncated"});
    expect_unpack_refuses(sandbox, zip, {"truncated"});
}

TEST(HostileZip, ZipWithItsEndCutOffByOneByteIsRefused)
{
    HostileSandbox sandbox;
    std::string whole = solution_zip().bytes();
    fs::path zip = sandbox.write_bytes("short-by-one.zip", whole.substr(0, whole.size() - 1));
    expect_info_refuses(zip, {"not a readable zip archive"});
    expect_unpack_refuses(sandbox, zip, {"not a readable zip archive"});
}

TEST(HostileZip, NonZipIsRefused)
{
    HostileSandbox sandbox;
    fs::path zip =
        sandbox.write_bytes("not-a-zip.zip", "<html><body>this is a web page, not a solution</body></html>\n");
    expect_info_refuses(zip, {"not a zip archive"});
    expect_unpack_refuses(sandbox, zip, {"not a zip archive"});
}

TEST(HostileZip, EmptyZipArchiveIsRefused)
{
    HostileSandbox sandbox;
    fs::path zip = sandbox.write("empty.zip", ZipForge());
    ASSERT_EQ(fs::file_size(zip), 22u); // the end record alone
    expect_info_refuses(zip, {"no solution.xml", "empty"});
    expect_unpack_refuses(sandbox, zip, {"no solution.xml"});
}

TEST(HostileZip, ZeroByteFileIsRefused)
{
    HostileSandbox sandbox;
    fs::path zip = sandbox.write_bytes("zero-bytes.zip", "");
    expect_info_refuses(zip, {"empty"});
    expect_unpack_refuses(sandbox, zip, {"empty"});
}

TEST(HostileZip, ZipWithoutSolutionXmlIsRefused)
{
    HostileSandbox sandbox;
    ZipForge forge;
    forge.add("[Content_Types].xml", minimal_content_types_xml())
        .add("customizations.xml", minimal_customizations_xml());
    fs::path zip = sandbox.write("no-manifest.zip", forge);
    expect_info_refuses(zip, {"no solution.xml"});
    expect_unpack_refuses(sandbox, zip, {"no solution.xml"});
}

TEST(HostileZip, TheForgedCarrierIsItselfAValidSolution)
{
    // Guards every test above: they fail for the hostile part, not for a broken carrier.
    HostileSandbox sandbox;
    fs::path zip = sandbox.write("carrier.zip", solution_zip());
    RunResult info = run_escprov_limited({"info", zip.string()});
    EXPECT_EQ(info.exit_code, 0) << info.err;
    EXPECT_NE(info.out.find("HostileTest"), std::string::npos) << info.out;
    EXPECT_NE(info.out.find("tst_thing"), std::string::npos) << info.out;
}

TEST(HostileZip, TooManyEntriesAreRefusedAndTheLimitIsConfigurable)
{
    HostileSandbox sandbox;
    ZipForge forge = solution_zip();
    forge.add("WebResources/a", "a").add("WebResources/b", "b");
    fs::path zip = sandbox.write("many.zip", forge);
    expect_info_refuses(zip, {"5 entries", "--max-entries"}, {"--max-entries", "3"});
    expect_unpack_refuses(sandbox, zip, {"--max-entries"}, {"--max-entries", "3"});

    RunResult raised = run_escprov_limited({"info", "--max-entries", "5", zip.string()});
    EXPECT_EQ(raised.exit_code, 0) << raised.err;
}
