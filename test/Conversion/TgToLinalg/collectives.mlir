// RUN: tg-opt %s -convert-tg-to-linalg | FileCheck %s

// A collective becomes a call of the runtime on flat buffers: a copy of
// the operand made where the collective is (a tensor op, so that
// bufferization sees the read there), and a fresh buffer for the result.
// CHECK-LABEL: func.func @main
// CHECK: %[[MEAN:.*]] = arith.constant 1 : i32
// CHECK: %[[COPY0:.*]] = bufferization.alloc_tensor() copy(%arg0) : tensor<2x3xf32>
// CHECK: %[[SEND:.*]] = bufferization.to_buffer %[[COPY0]] read_only : tensor<2x3xf32> to memref<2x3xf32>
// CHECK: %[[RECV:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x3xf32>
// CHECK: %[[S1:.*]] = memref.collapse_shape %[[SEND]] {{\[\[}}0, 1]] : memref<2x3xf32> into memref<6xf32>
// CHECK: %[[S2:.*]] = memref.cast %[[S1]] : memref<6xf32> to memref<?xf32>
// CHECK: %[[R1:.*]] = memref.collapse_shape %[[RECV]]
// CHECK: %[[R2:.*]] = memref.cast %[[R1]]
// CHECK: call @tg_all_reduce_f32(%[[S2]], %[[R2]], %[[MEAN]]) : (memref<?xf32>, memref<?xf32>, i32) -> ()
// CHECK: bufferization.to_tensor %[[RECV]] restrict writable : memref<2x3xf32> to tensor<2x3xf32>
// CHECK: %[[ROOT:.*]] = arith.constant 1 : i64
// CHECK: %[[COPY1:.*]] = bufferization.alloc_tensor() copy(%arg1) : tensor<5xi64>
// CHECK: %[[SRC:.*]] = bufferization.to_buffer %[[COPY1]] read_only : tensor<5xi64> to memref<5xi64>
// CHECK: %[[DST:.*]] = memref.alloc() {alignment = 64 : i64} : memref<5xi64>
// CHECK: %[[FSRC:.*]] = memref.cast %[[SRC]] : memref<5xi64> to memref<?xi64>
// CHECK: %[[FDST:.*]] = memref.cast %[[DST]] : memref<5xi64> to memref<?xi64>
// CHECK: call @tg_broadcast_i64(%[[FSRC]], %[[FDST]], %[[ROOT]]) : (memref<?xi64>, memref<?xi64>, i64) -> ()
// CHECK: %[[RANK:.*]] = call @tg_process_rank() : () -> i64
// CHECK: tensor.from_elements %[[RANK]] : tensor<i64>
// CHECK-LABEL: func.func @scalar
// CHECK: %[[C:.*]] = bufferization.alloc_tensor() copy(%arg0) : tensor<f32>
// CHECK: %[[B:.*]] = bufferization.to_buffer %[[C]] read_only : tensor<f32> to memref<f32>
// CHECK: %[[E:.*]] = memref.expand_shape %[[B]] [] output_shape [1] : memref<f32> into memref<1xf32>
// CHECK: memref.cast %[[E]] : memref<1xf32> to memref<?xf32>
// CHECK: call @tg_all_reduce_f32
// CHECK-DAG: func.func private @tg_all_reduce_f32(memref<?xf32>, memref<?xf32>, i32)
// CHECK-DAG: func.func private @tg_broadcast_i64(memref<?xi64>, memref<?xi64>, i64)
// CHECK-DAG: func.func private @tg_process_rank() -> i64
func.func @main(%x: tensor<2x3xf32>, %y: tensor<5xi64>) -> (tensor<2x3xf32>, tensor<5xi64>, tensor<i64>) {
  %r = tg.all_reduce mean %x : tensor<2x3xf32>
  %b = tg.broadcast_from %y [1] : tensor<5xi64>
  %k = tg.process_rank : tensor<i64>
  return %r, %b, %k : tensor<2x3xf32>, tensor<5xi64>, tensor<i64>
}

func.func @scalar(%x: tensor<f32>) -> tensor<f32> {
  %r = tg.all_reduce sum %x : tensor<f32>
  return %r : tensor<f32>
}
