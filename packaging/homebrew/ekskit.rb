# Homebrew formula.  Fill in url/sha256 from the release tarball.
class Ekskit < Formula
  desc "Small, fast tools to reach Amazon EKS clusters with kubectl"
  homepage "https://example.invalid/ekskit"
  url "https://example.invalid/ekskit/ekskit-0.1.0.tar.gz"
  sha256 "0000000000000000000000000000000000000000000000000000000000000000"
  license "MIT"

  depends_on "pkg-config" => :build
  depends_on "cmocka" => :test
  depends_on "c-ares"
  depends_on "curl"
  depends_on "jansson"
  depends_on "libyaml"
  depends_on "openssl@3"
  uses_from_macos "expat"

  def install
    system "make", "all"
    system "make", "install", "PREFIX=#{prefix}", "DATADIR=#{share}"
  end

  test do
    assert_match "eks-token", shell_output("#{bin}/eks-token --version")
  end
end
