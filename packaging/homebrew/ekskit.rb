# Homebrew formula (for a tap).  `make release VERSION=x.y.z` writes url and
# sha256: releases live at
# https://github.com/ekskit/ekskit/releases/download/vX.Y.Z/ekskit-X.Y.Z.tar.gz
# (sha256 is all zeros until the first `make release` has been run).
class Ekskit < Formula
  desc "Small, fast tools to reach Amazon EKS clusters with kubectl"
  homepage "https://github.com/ekskit/ekskit"
  url "https://github.com/ekskit/ekskit/releases/download/v0.1.0/ekskit-0.1.0.tar.gz"
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
