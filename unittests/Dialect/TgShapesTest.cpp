//===- TgShapesTest.cpp - Unit tests of the tg shape rules ----------------===//
//
// Part of the tg project.
//
//===----------------------------------------------------------------------===//
//
// The shape arithmetic behind the verifiers, checked against numpy's rules
// (the expected values are what numpy.broadcast_shapes, numpy.matmul and
// numpy slicing give).
//
//===----------------------------------------------------------------------===//

#include "tg/Dialect/Tg/IR/TgShapes.h"

#include "gtest/gtest.h"

using namespace mlir::tg;

namespace {

Shape S(std::initializer_list<int64_t> dims) { return Shape(dims); }

TEST(BroadcastShapes, AlignsFromTheRight) {
  EXPECT_EQ(broadcastShapes(S({4, 3}), S({3})), S({4, 3}));
  EXPECT_EQ(broadcastShapes(S({3}), S({4, 3})), S({4, 3}));
  EXPECT_EQ(broadcastShapes(S({2, 1, 5}), S({7, 1})), S({2, 7, 5}));
  EXPECT_EQ(broadcastShapes(S({8, 1, 6, 1}), S({7, 1, 5})), S({8, 7, 6, 5}));
}

TEST(BroadcastShapes, RankZeroAndOnes) {
  EXPECT_EQ(broadcastShapes(S({}), S({})), S({}));
  EXPECT_EQ(broadcastShapes(S({}), S({2, 3})), S({2, 3}));
  EXPECT_EQ(broadcastShapes(S({1, 1}), S({1})), S({1, 1}));
  EXPECT_EQ(broadcastShapes(S({1}), S({0})), S({0}));
}

TEST(BroadcastShapes, RejectsIncompatible) {
  EXPECT_FALSE(broadcastShapes(S({3}), S({4})));
  EXPECT_FALSE(broadcastShapes(S({2, 3}), S({3, 3, 2})));
  EXPECT_FALSE(broadcastShapes(S({0}), S({2})));
}

TEST(IsBroadcastableTo, IsOneSided) {
  EXPECT_TRUE(isBroadcastableTo(S({3}), S({4, 3})));
  EXPECT_TRUE(isBroadcastableTo(S({1, 3}), S({4, 3})));
  EXPECT_TRUE(isBroadcastableTo(S({}), S({2, 2})));
  EXPECT_FALSE(isBroadcastableTo(S({4, 3}), S({3})));
  EXPECT_FALSE(isBroadcastableTo(S({4, 1}), S({1, 3})));
  EXPECT_FALSE(isBroadcastableTo(S({2}), S({4})));
}

TEST(Reduction, KeepDimsAndDrop) {
  EXPECT_EQ(getReducedShape(S({4, 3}), {1}, false), S({4}));
  EXPECT_EQ(getReducedShape(S({4, 3}), {1}, true), S({4, 1}));
  EXPECT_EQ(getReducedShape(S({4, 3}), {0, 1}, false), S({}));
  EXPECT_EQ(getReducedShape(S({2, 3, 4, 5}), {3, 1}, false), S({2, 4}));
  EXPECT_EQ(getReducedShape(S({2, 3, 4, 5}), {3, 1}, true), S({2, 1, 4, 1}));
}

TEST(Reduction, ValidAxes) {
  EXPECT_TRUE(areValidAxes({0, 2}, 3));
  EXPECT_TRUE(areValidAxes({}, 0));
  EXPECT_FALSE(areValidAxes({3}, 3));
  EXPECT_FALSE(areValidAxes({-1}, 3));
  EXPECT_FALSE(areValidAxes({1, 1}, 3));
}

TEST(Matmul, PlainAndBatched) {
  EXPECT_EQ(matmulShape(S({8, 4}), S({4, 5})), S({8, 5}));
  EXPECT_EQ(matmulShape(S({2, 8, 4}), S({4, 5})), S({2, 8, 5}));
  EXPECT_EQ(matmulShape(S({4, 5}), S({3, 5, 6})), S({3, 4, 6}));
  EXPECT_EQ(matmulShape(S({2, 1, 8, 4}), S({3, 4, 5})), S({2, 3, 8, 5}));
}

TEST(Matmul, Rejects) {
  EXPECT_FALSE(matmulShape(S({8, 4}), S({5, 5})));     // contraction differs
  EXPECT_FALSE(matmulShape(S({4}), S({4, 5})));        // rank 1
  EXPECT_FALSE(matmulShape(S({2, 8, 4}), S({3, 4, 5}))); // batch 2 vs 3
}

TEST(Permutation, Checks) {
  EXPECT_TRUE(isPermutation({1, 0}, 2));
  EXPECT_TRUE(isPermutation({}, 0));
  EXPECT_FALSE(isPermutation({0, 0}, 2));
  EXPECT_FALSE(isPermutation({0}, 2));
  EXPECT_FALSE(isPermutation({0, 2}, 2));
  EXPECT_EQ(permuteShape(S({2, 3, 4}), {2, 0, 1}), S({4, 2, 3}));
}

TEST(Slice, Lengths) {
  EXPECT_EQ(sliceLength(4, 0, 2, 1), 2);
  EXPECT_EQ(sliceLength(5, 1, 4, 2), 2); // numpy: len(range(1, 4, 2)) == 2
  EXPECT_EQ(sliceLength(5, 0, 5, 3), 2);
  EXPECT_EQ(sliceLength(5, 2, 2, 1), 0);
  EXPECT_FALSE(sliceLength(5, 0, 6, 1));
  EXPECT_FALSE(sliceLength(5, 3, 2, 1));
  EXPECT_FALSE(sliceLength(5, 0, 5, 0));
  EXPECT_FALSE(sliceLength(5, -1, 5, 1));
}

TEST(Conv, OutputSize) {
  EXPECT_EQ(convOutputSize(8, 3, 0, 0, 1, 1), 6);
  EXPECT_EQ(convOutputSize(8, 3, 1, 1, 1, 1), 8);
  EXPECT_EQ(convOutputSize(8, 3, 1, 1, 2, 1), 4);
  EXPECT_EQ(convOutputSize(8, 3, 0, 0, 1, 2), 4);
  EXPECT_FALSE(convOutputSize(2, 3, 0, 0, 1, 1));
  EXPECT_FALSE(convOutputSize(8, 3, 0, 0, 0, 1));
  EXPECT_FALSE(convOutputSize(8, 3, -1, 0, 1, 1));
}

TEST(NumElements, Counts) {
  EXPECT_EQ(getNumElements(S({})), 1);
  EXPECT_EQ(getNumElements(S({2, 3, 4})), 24);
  EXPECT_EQ(getNumElements(S({2, 0})), 0);
}

} // namespace
